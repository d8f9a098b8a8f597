"""drafts: the case a draft was typed for, so that erasing the case destroys its drafts too

Revision ID: 0200_draft_case
Revises: 0400_audit_refusal_count
"""
import sqlalchemy as sa
from alembic import op

revision = "0200_draft_case"
down_revision = "0400_audit_refusal_count"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_form_draft_case_id"), ["case_id"], unique=False)


def downgrade():
    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_draft_case_id"))
        batch_op.drop_column("case_id")
