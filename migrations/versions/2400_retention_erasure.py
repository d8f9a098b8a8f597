"""erasure proposed by the retention schedule: rights_erasure.origin, retention_review_id; request_id optional

Revision ID: 2400_retention_erasure
Revises: 2100_followup_queue_index
Create Date: 2026-12-07 11:20:00

A closed case past its retention period, for which the data-protection officer decides "propose erasure",
waits for the same supervisor's sign-off as an erasure the survivor asked for; it has no request. Existing rows
are requests (origin 'request'). Downgrade deletes the sign-offs that have no request (retention proposals)
before making request_id required again.
"""
import sqlalchemy as sa
from alembic import op

revision = '2400_retention_erasure'
down_revision = '2100_followup_queue_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rights_erasure') as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=12), server_default='request', nullable=False))
        batch_op.add_column(sa.Column('retention_review_id', sa.String(length=36), nullable=True))
        batch_op.alter_column('request_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.create_foreign_key(
            op.f('fk_rights_erasure_retention_review_id_privacy_retention_review'),
            'privacy_retention_review',
            ['retention_review_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_index(batch_op.f('ix_rights_erasure_retention_review_id'), ['retention_review_id'], unique=False)


def downgrade():
    op.execute("DELETE FROM rights_erasure WHERE request_id IS NULL")
    with op.batch_alter_table('rights_erasure') as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_erasure_retention_review_id'))
        batch_op.drop_constraint(
            op.f('fk_rights_erasure_retention_review_id_privacy_retention_review'), type_='foreignkey'
        )
        batch_op.alter_column('request_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column('retention_review_id')
        batch_op.drop_column('origin')
