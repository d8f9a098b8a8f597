"""follow-up queue index: a counsellor's open follow-ups in due order, read from the index and cut at the limit

Revision ID: 2100_followup_queue_index
Revises: 2300_second_factor_reset
Create Date: 2026-12-07 11:30:00

"""
from alembic import op

revision = '2100_followup_queue_index'
down_revision = '2300_second_factor_reset'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_case_followup_assignee_open_due', 'case_followup', ['assignee_id', 'status', 'due_on'], unique=False
    )


def downgrade():
    op.drop_index('ix_case_followup_assignee_open_due', table_name='case_followup')
