"""approval requests (a second person for changes that open case content) and one-time setup links

Revision ID: 0301_approvals
Revises: 0700_note_withdrawal
Create Date: 2026-12-07 05:20:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0301_approvals'
down_revision = '0700_note_withdrawal'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('approval_request',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.String(length=36), nullable=False),
    sa.Column('subject_user_id', sa.String(length=36), nullable=True),
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', app.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                            name=op.f('fk_approval_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                            name=op.f('fk_approval_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['subject_user_id'], ['user_account.id'],
                            name=op.f('fk_approval_request_subject_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_approval_request_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_request'))
    )
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_request_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_subject_user_id'), ['subject_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_unit_id'), ['unit_id'], unique=False)
    op.create_table('setup_link',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', app.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_setup_link_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setup_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_setup_link_token_hash'))
    )
    with op.batch_alter_table('setup_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_setup_link_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('setup_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_setup_link_user_id'))
    op.drop_table('setup_link')
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_request_unit_id'))
        batch_op.drop_index(batch_op.f('ix_approval_request_subject_user_id'))
        batch_op.drop_index(batch_op.f('ix_approval_request_status'))
        batch_op.drop_index(batch_op.f('ix_approval_request_requested_by_id'))
    op.drop_table('approval_request')
