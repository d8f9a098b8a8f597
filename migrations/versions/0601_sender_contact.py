"""sender contact: a counsellor's choice to show their name and work phone to the receiving agencies

Revision ID: 0601_sender_contact
Revises: 0600_directory
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0601_sender_contact'
down_revision = '0600_directory'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'referral_sender_contact',
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('work_phone', sa.String(length=20), nullable=False),
        sa.Column('share', sa.Boolean(), nullable=False),
        sa.Column('updated_at', app.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('referral_sender_contact')
