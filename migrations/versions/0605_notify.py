"""notifications: per-user choices and the outbox the worker sends from (no person data in either)

Revision ID: 0605_notify
Revises: 0604_case_signoff
Create Date: 2026-12-07 05:40:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0605_notify'
down_revision = '0604_case_signoff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notify_pref',
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('email_on', sa.Boolean(), nullable=False),
        sa.Column('sms_on', sa.Boolean(), nullable=False),
        sa.Column('alerts_on', sa.Boolean(), nullable=False),
        sa.Column('digest_hour', sa.Integer(), nullable=False),
        sa.Column('quiet_from', sa.Integer(), nullable=False),
        sa.Column('quiet_to', sa.Integer(), nullable=False),
        sa.Column('updated_at', app.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_table(
        'notify_outbox',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', app.types.UTCDateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=40), nullable=True),
        sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
        sa.Column('sent_at', app.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    op.create_index('ix_notify_outbox_user_id', 'notify_outbox', ['user_id'])
    op.create_index('ix_notify_outbox_due', 'notify_outbox', ['status', 'next_attempt_at'])


def downgrade():
    op.drop_table('notify_outbox')
    op.drop_table('notify_pref')
