"""Referral tombstones: why the agency's packet was destroyed (withdrawn, consent withdrawn, declined,
completed, case erased, the sender's choice).

Revision ID: 0401_referral_tombstone
Revises: 0150_calendar_days
"""

import sqlalchemy as sa
from alembic import op

revision = "0401_referral_tombstone"
down_revision = "0150_calendar_days"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("packet_destroyed_cause", sa.String(20), nullable=True))


def downgrade():
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("packet_destroyed_cause")
