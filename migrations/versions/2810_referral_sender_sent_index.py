"""referral sender index: the monthly statistics count the referrals a set of units sent in a year, by month and
outcome, from a (sender unit, sent time) index instead of reading every referral

Revision ID: 2810_referral_sender_sent_index
Revises: 2702_followup_queue_index_case
Create Date: 2026-12-07 17:30:00

"""
from alembic import op

revision = '2810_referral_sender_sent_index'
down_revision = '2702_followup_queue_index_case'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_referral_sender_sent', 'referral', ['sender_unit_id', 'sent_at'], unique=False)


def downgrade():
    op.drop_index('ix_referral_sender_sent', table_name='referral')
