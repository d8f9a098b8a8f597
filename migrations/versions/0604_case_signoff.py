"""case sign-off: a supervisor's decision on a high-risk safety plan or closure, on a version of the case

Revision ID: 0604_case_signoff
Revises: 0603_referral_onward
Create Date: 2026-12-07 05:30:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0604_case_signoff'
down_revision = '0603_referral_onward'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_signoff',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('decision', sa.String(length=12), nullable=False),
        sa.Column('case_version', sa.Integer(), nullable=False),
        sa.Column('decided_by_id', sa.String(length=36), nullable=True),
        sa.Column('decided_at', app.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_record.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_signoff_case_id', 'case_signoff', ['case_id'])


def downgrade():
    op.drop_table('case_signoff')
