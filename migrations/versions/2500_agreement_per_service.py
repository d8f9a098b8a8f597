"""transfer agreements per receiving service: privacy_agreement.service_id (Decree 356/2025 Art. 7)

Revision ID: 2500_agreement_per_service
Revises: 1500_case_profile_sealed
Create Date: 2026-12-07 11:05:00

A referral goes to a service of the directory, so the agreement that covers it is the service's. An agreement
recorded for a whole agency stays meaningful: it is copied onto every service that agency runs (the first
service takes the row itself, each further one a copy with the same number, dates and scope). An agency that
runs no service keeps its row with no service (evidence; it covers no referral). Downgrade drops the column;
the copies stay as agency-level rows with the same number, which mean what the original meant.
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '2500_agreement_per_service'
down_revision = '1500_case_profile_sealed'
branch_labels = None
depends_on = None

COPIED = ('agency_id', 'reference', 'signed_on', 'valid_from', 'valid_to', 'ended_on', 'scope', 'recorded_by_id',
          'created_at')


def upgrade():
    with op.batch_alter_table('privacy_agreement') as batch_op:
        batch_op.add_column(sa.Column('service_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_privacy_agreement_service_id_directory_service'), 'directory_service', ['service_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_privacy_agreement_service_id'), ['service_id'], unique=False)
    agreement = sa.table(
        'privacy_agreement',
        sa.column('id', sa.String),
        sa.column('service_id', sa.String),
        *(sa.column(name) for name in COPIED),
    )
    service = sa.table('directory_service', sa.column('id', sa.String), sa.column('unit_id', sa.String),
                       sa.column('code', sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(agreement).where(agreement.c.service_id.is_(None))).mappings().all()
    for row in rows:
        services = conn.execute(
            sa.select(service.c.id).where(service.c.unit_id == row['agency_id']).order_by(service.c.code)
        ).scalars().all()
        if not services:
            continue
        first, *others = services
        conn.execute(agreement.update().where(agreement.c.id == row['id']).values(service_id=first))
        for other in others:
            conn.execute(
                agreement.insert().values(
                    id=str(uuid.uuid4()), service_id=other, **{name: row[name] for name in COPIED}
                )
            )


def downgrade():
    with op.batch_alter_table('privacy_agreement') as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_agreement_service_id'))
        batch_op.drop_constraint(op.f('fk_privacy_agreement_service_id_directory_service'), type_='foreignkey')
        batch_op.drop_column('service_id')
