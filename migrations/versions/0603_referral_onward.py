"""onward referral: a referral names the referral it was passed on from

Revision ID: 0603_referral_onward
Revises: 0602_case_transfer
Create Date: 2026-12-07 05:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0603_referral_onward'
down_revision = '0602_case_transfer'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral') as batch:
        batch.add_column(sa.Column('parent_id', sa.String(length=36), nullable=True))
        batch.create_foreign_key('fk_referral_parent_id', 'referral', ['parent_id'], ['id'])
        batch.create_index('ix_referral_parent_id', ['parent_id'])


def downgrade():
    with op.batch_alter_table('referral') as batch:
        batch.drop_index('ix_referral_parent_id')
        batch.drop_constraint('fk_referral_parent_id', type_='foreignkey')
        batch.drop_column('parent_id')
