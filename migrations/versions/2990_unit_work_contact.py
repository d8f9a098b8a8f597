"""unit_work_contact: a unit's office phone and a short note (office hours), set by the admin; the office's
number, not a person's, so plain reference data

Revision ID: 2990_unit_work_contact
Revises: 2960_signoff_reason
Create Date: 2026-12-07 23:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '2990_unit_work_contact'
down_revision = '2960_signoff_reason'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('work_note', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('work_note')
        batch_op.drop_column('work_phone')
