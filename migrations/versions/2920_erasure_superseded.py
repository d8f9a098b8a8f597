"""erasure superseded: rights_erasure.superseded_by_id; a survivor's erasure request takes over a waiting
retention proposal of the same case

Revision ID: 2920_erasure_superseded
Revises: 2810_referral_sender_sent_index
Create Date: 2026-12-07 20:20:00

A retention proposal still waiting when the survivor's own erasure request is proposed is closed as
'superseded', pointing at the request's sign-off (app/rights/answers.py says why). Rows that are already in
that state (both waiting on one case, from before this change) are closed the same way, pointing at the
request's sign-off proposed first. Downgrade makes them wait again, as they did before.
"""
import sqlalchemy as sa
from alembic import op

revision = '2920_erasure_superseded'
down_revision = '2810_referral_sender_sent_index'
branch_labels = None
depends_on = None

_REQUEST_WAITING = (
    "FROM rights_erasure AS r WHERE r.case_id = rights_erasure.case_id AND r.origin = 'request' "
    "AND r.status = 'pending'"
)


def upgrade():
    with op.batch_alter_table('rights_erasure') as batch_op:
        batch_op.add_column(sa.Column('superseded_by_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_rights_erasure_superseded_by_id_rights_erasure'),
            'rights_erasure',
            ['superseded_by_id'],
            ['id'],
            ondelete='SET NULL',
        )
    op.execute(
        "UPDATE rights_erasure SET status = 'superseded', "
        f"superseded_by_id = (SELECT r.id {_REQUEST_WAITING} ORDER BY r.proposed_at, r.id LIMIT 1), "
        f"decided_at = (SELECT r.proposed_at {_REQUEST_WAITING} ORDER BY r.proposed_at, r.id LIMIT 1) "
        f"WHERE origin = 'retention' AND status = 'pending' AND EXISTS (SELECT 1 {_REQUEST_WAITING})"
    )


def downgrade():
    op.execute(
        "UPDATE rights_erasure SET status = 'pending', decided_at = NULL, decided_by_id = NULL "
        "WHERE status = 'superseded'"
    )
    with op.batch_alter_table('rights_erasure') as batch_op:
        batch_op.drop_constraint(op.f('fk_rights_erasure_superseded_by_id_rights_erasure'), type_='foreignkey')
        batch_op.drop_column('superseded_by_id')
