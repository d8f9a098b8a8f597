"""Refused anonymous requests are counted per minute and address bucket, not chained one row each.

Revision ID: 0400_audit_refusal_count
Revises: 0300_throttle_step_up
"""

import sqlalchemy as sa
from alembic import op

from app.types import UTCDateTime

revision = "0400_audit_refusal_count"
down_revision = "0300_throttle_step_up"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_refusal_count",
        sa.Column("minute", UTCDateTime(), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("minute", "bucket", "action", "result", name="pk_audit_refusal_count"),
    )


def downgrade():
    op.drop_table("audit_refusal_count")
