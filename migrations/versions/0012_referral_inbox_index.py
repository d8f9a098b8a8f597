"""referral inbox index: an agency's referrals, newest first, from the index

Revision ID: 0012_referral_inbox_index
Revises: 0005_referrals
Create Date: 2026-11-29 11:00:00

"""
from alembic import op

revision = '0012_referral_inbox_index'
down_revision = '0005_referrals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_referral_agency_sent', 'referral', ['agency_id', 'sent_at'], unique=False)


def downgrade():
    op.drop_index('ix_referral_agency_sent', table_name='referral')
