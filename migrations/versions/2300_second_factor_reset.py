"""second-factor-only reset: a setup link may enrol a new authenticator only (the password stays), and an
account whose second factor was reset signs in only after enrolling through that link

Revision ID: 2300_second_factor_reset
Revises: 2700_incident_gbvims
Create Date: 2026-12-07 11:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "2300_second_factor_reset"
down_revision = "2700_incident_gbvims"
branch_labels = None
depends_on = None


def upgrade():
    # "full": password and second factor (a new case reader, a credentials reset); "totp": second factor only.
    op.add_column("setup_link", sa.Column("purpose", sa.String(length=8), nullable=False, server_default="full"))
    op.add_column(
        "user_account", sa.Column("totp_by_link", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("totp_by_link")
    with op.batch_alter_table("setup_link", schema=None) as batch_op:
        batch_op.drop_column("purpose")
