"""follow-up queue index holds the case id too: the work queue's steps are read from the index alone (an
index-only scan), which PostgreSQL prefers to the assignee index and a sort of every due follow-up at any size

Revision ID: 2702_followup_queue_index_case
Revises: 2710_reference_progress
Create Date: 2026-12-07 14:50:00

At 1 000 000 cases over 45 communes, with (assignee, status, due date, id) the planner still read the SC-01
counsellor's 3 640 follow-ups through the assignee index and sorted the 2 079 due (each row of the ordered index
would have cost a heap fetch). With the case id in the index the step needs no heap fetch.
"""
from alembic import op

revision = '2702_followup_queue_index_case'
down_revision = '2710_reference_progress'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_case_followup_assignee_open_due', table_name='case_followup')
    op.create_index(
        'ix_case_followup_assignee_open_due',
        'case_followup',
        ['assignee_id', 'status', 'due_on', 'id', 'case_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_case_followup_assignee_open_due', table_name='case_followup')
    op.create_index(
        'ix_case_followup_assignee_open_due', 'case_followup', ['assignee_id', 'status', 'due_on', 'id'], unique=False
    )
