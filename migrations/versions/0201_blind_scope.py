"""cases: which blind-index scheme a case's indexes were computed with (2: keyed per commune)

The values themselves are recomputed by `flask --app wsgi keys reindex` (run by setup): that needs the keys,
which a migration never reads.

Revision ID: 0201_blind_scope
Revises: 0160_reference_version
"""
import sqlalchemy as sa
from alembic import op

revision = "0201_blind_scope"
down_revision = "0160_reference_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bidx_scheme", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_column("bidx_scheme")
