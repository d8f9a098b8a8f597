"""case transfer: a request to move a case to another unit, accepted by the receiving side

Revision ID: 0602_case_transfer
Revises: 0601_sender_contact
Create Date: 2026-12-07 05:10:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0602_case_transfer'
down_revision = '0601_sender_contact'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_transfer',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('from_unit_id', sa.String(length=36), nullable=False),
        sa.Column('to_unit_id', sa.String(length=36), nullable=False),
        sa.Column('to_user_id', sa.String(length=36), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('requested_by_id', sa.String(length=36), nullable=True),
        sa.Column('requested_at', app.types.UTCDateTime(), nullable=False),
        sa.Column('decided_by_id', sa.String(length=36), nullable=True),
        sa.Column('decided_at', app.types.UTCDateTime(), nullable=True),
        sa.Column('reason_code', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_record.id']),
        sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['to_unit_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['to_user_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_transfer_case_id', 'case_transfer', ['case_id'])
    op.create_index('ix_case_transfer_to_user_id', 'case_transfer', ['to_user_id'])
    op.create_index('ix_case_transfer_status', 'case_transfer', ['status'])
    op.create_index('ix_case_transfer_to_status', 'case_transfer', ['to_unit_id', 'status'])


def downgrade():
    op.drop_table('case_transfer')
