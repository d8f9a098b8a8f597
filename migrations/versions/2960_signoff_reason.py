"""signoff reason: a supervisor's return of a high-risk safety plan or closure says why, sealed under the
case's key (case_signoff.reason_enc)

Revision ID: 2960_signoff_reason
Revises: 2951_erased_creation_cleared
Create Date: 2026-12-07 23:40:00

The reason may name people (the perpetrator, a relative who shelters the survivor), so it is sealed like the
case's own narrative and goes when the case is erased. Returns made before have no reason: the column is
nullable and stays empty for them.
"""
import sqlalchemy as sa
from alembic import op

revision = '2960_signoff_reason'
down_revision = '2951_erased_creation_cleared'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_signoff') as batch_op:
        batch_op.add_column(sa.Column('reason_enc', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('case_signoff') as batch_op:
        batch_op.drop_column('reason_enc')
