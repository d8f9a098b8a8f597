"""known_device: the sign-in throttle's device cookies (only the token's SHA-256, the account, when issued,
last used and revoked)

Revision ID: 2940_known_device
Revises: 2920_erasure_superseded
Create Date: 2026-12-07 20:50:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '2940_known_device'
down_revision = '2920_erasure_superseded'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('known_device',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', app.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_known_device_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_device')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_known_device_token_hash'))
    )
    with op.batch_alter_table('known_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_known_device_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('known_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_known_device_user_id'))
    op.drop_table('known_device')
