"""registers: safe-motherhood payments (person data sealed under each payment's own key) and community events

Revision ID: 1200_registers
Revises: 0606_case_conference
Create Date: 2026-12-07 08:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '1200_registers'
down_revision = '0606_case_conference'
branch_labels = None
depends_on = None


def _void_columns():
    return [
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('void_reason', sa.Text(), nullable=True),
        sa.Column('voided_at', app.types.UTCDateTime(), nullable=True),
        sa.Column('voided_by_id', sa.String(length=36), nullable=True),
        sa.Column('recorded_by_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', app.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['voided_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id']),
    ]


def upgrade():
    op.create_table(
        'register_payment',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('unit_id', sa.String(length=36), nullable=False),
        sa.Column('package', sa.String(length=20), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('voucher_number', sa.String(length=40), nullable=False),
        sa.Column('ethnic_code', sa.String(length=8), nullable=True),
        sa.Column('age_band', sa.String(length=10), nullable=True),
        *_void_columns(),
        sa.Column('full_name_enc', sa.LargeBinary(), nullable=True),
        sa.Column('id_number_enc', sa.LargeBinary(), nullable=True),
        sa.Column('address_enc', sa.LargeBinary(), nullable=True),
        sa.Column('note_enc', sa.LargeBinary(), nullable=True),
        sa.Column('wrapped_dek', sa.LargeBinary(), nullable=True),
        sa.Column('kek_version', sa.Integer(), nullable=True),
        sa.Column('erased_at', app.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('unit_id', 'paid_on', 'voucher_number', 'status', 'kek_version'):
        op.create_index(f'ix_register_payment_{column}', 'register_payment', [column])
    op.create_table(
        'register_event',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('unit_id', sa.String(length=36), nullable=False),
        sa.Column('place_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('topic', sa.String(length=300), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('female', sa.Integer(), nullable=False),
        sa.Column('male', sa.Integer(), nullable=False),
        sa.Column('by_ethnicity', sa.JSON(), nullable=False),
        *_void_columns(),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['place_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('unit_id', 'place_id', 'kind', 'held_on', 'status'):
        op.create_index(f'ix_register_event_{column}', 'register_event', [column])


def downgrade():
    op.drop_table('register_event')
    op.drop_table('register_payment')
