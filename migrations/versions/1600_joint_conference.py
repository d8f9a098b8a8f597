"""joint case conference: one meeting about several cases, each case's part sealed under its own key

Revision ID: 1600_joint_conference
Revises: 1000_plans_as_data
Create Date: 2026-12-07 08:05:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '1600_joint_conference'
down_revision = '1000_plans_as_data'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_conference_meeting',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('case_count', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('case_conference') as batch:
        batch.add_column(sa.Column('meeting_id', sa.String(length=36), nullable=True))
        batch.create_index('ix_case_conference_meeting_id', ['meeting_id'])
        batch.create_foreign_key('fk_case_conference_meeting_id_case_conference_meeting', 'case_conference_meeting', ['meeting_id'], ['id'])


def downgrade():
    with op.batch_alter_table('case_conference') as batch:
        batch.drop_constraint('fk_case_conference_meeting_id_case_conference_meeting', type_='foreignkey')
        batch.drop_index('ix_case_conference_meeting_id')
        batch.drop_column('meeting_id')
    op.drop_table('case_conference_meeting')
