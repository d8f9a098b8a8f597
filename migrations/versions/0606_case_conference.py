"""case conference: a dated meeting about a case, the services present, decisions and actions (sealed)

Revision ID: 0606_case_conference
Revises: 0605_notify
Create Date: 2026-12-07 05:50:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0606_case_conference'
down_revision = '0605_notify'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_conference',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('services_present', sa.JSON(), nullable=False),
        sa.Column('recorded_by_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
        sa.Column('decisions_enc', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_conference_case_id', 'case_conference', ['case_id'])
    op.create_table(
        'case_conference_action',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('conference_id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('owner_id', sa.String(length=36), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('done_at', app.types.UTCDateTime(), nullable=True),
        sa.Column('what_enc', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['conference_id'], ['case_conference.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_conference_action_conference_id', 'case_conference_action', ['conference_id'])
    op.create_index('ix_case_conference_action_case_id', 'case_conference_action', ['case_id'])
    op.create_index('ix_case_conference_action_owner_id', 'case_conference_action', ['owner_id'])
    op.create_index('ix_case_conference_action_status', 'case_conference_action', ['status'])


def downgrade():
    op.drop_table('case_conference_action')
    op.drop_table('case_conference')
