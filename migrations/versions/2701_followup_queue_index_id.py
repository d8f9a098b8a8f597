"""follow-up queue index ends with the id: the work queue reads a counsellor's open follow-ups in (due date, id)
order in steps, each cut at its size, with no sort

Revision ID: 2701_followup_queue_index_id
Revises: 2740_consent_service_sealed
Create Date: 2026-12-07 14:00:00

"""
from alembic import op

revision = '2701_followup_queue_index_id'
down_revision = '2740_consent_service_sealed'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_case_followup_assignee_open_due', table_name='case_followup')
    op.create_index(
        'ix_case_followup_assignee_open_due', 'case_followup', ['assignee_id', 'status', 'due_on', 'id'], unique=False
    )


def downgrade():
    op.drop_index('ix_case_followup_assignee_open_due', table_name='case_followup')
    op.create_index(
        'ix_case_followup_assignee_open_due', 'case_followup', ['assignee_id', 'status', 'due_on'], unique=False
    )
