"""registry of models: supported by the project (new / strengthened), the trusted address a model is, and a
dated meeting log per model

Revision ID: 1201_registry_support
Revises: 1401_privacy
Create Date: 2026-12-07 08:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '1201_registry_support'
down_revision = '1401_privacy'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator_registry') as batch:
        batch.add_column(sa.Column('project_support', sa.String(length=12), nullable=False, server_default=''))
        batch.add_column(sa.Column('address_unit_id', sa.String(length=36), nullable=True))
        batch.create_foreign_key('fk_indicator_registry_address_unit_id_unit', 'unit', ['address_unit_id'], ['id'])
        batch.create_index('ix_indicator_registry_address_unit_id', ['address_unit_id'])
    op.create_table(
        'indicator_registry_meeting',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('entry_id', sa.String(length=36), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('attendees', sa.Integer(), nullable=False),
        sa.Column('women', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=300), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('void_reason', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['indicator_registry.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_indicator_registry_meeting_entry_id', 'indicator_registry_meeting', ['entry_id'])
    op.create_index('ix_indicator_registry_meeting_held_on', 'indicator_registry_meeting', ['held_on'])


def downgrade():
    op.drop_table('indicator_registry_meeting')
    with op.batch_alter_table('indicator_registry') as batch:
        batch.drop_index('ix_indicator_registry_address_unit_id')
        batch.drop_constraint('fk_indicator_registry_address_unit_id_unit', type_='foreignkey')
        batch.drop_column('address_unit_id')
        batch.drop_column('project_support')
