"""service directory: dated services with successors; referrals name their service and, when it closed while
they were open, the successor's agency (the addressee as sent is kept)

Revision ID: 0600_directory
Revises: 0900_rights
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0600_directory'
down_revision = '0900_rights'
branch_labels = None
depends_on = None

OPEN = ('sent', 'acknowledged', 'accepted', 'services_recorded')
# The 2022 district bodies closed with the district level on 1/7/2025 (legal-2026.md §4): their open referrals
# go to the successor agency that already exists in every installation. `setup` then loads the directory and
# maps the rest through the services' successors (directory.services.map_open_referrals).
SUCCESSORS = {'AG-LDTBXH-099': 'AG-SYT-11', 'AG-CA-099': 'AG-CA-11'}


def upgrade():
    op.create_table(
        'directory_service',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('unit_id', sa.String(length=36), nullable=False),
        sa.Column('contact', sa.String(length=300), nullable=False),
        sa.Column('hours', sa.String(length=200), nullable=False),
        sa.Column('languages', sa.JSON(), nullable=False),
        sa.Column('accepts', sa.JSON(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('successor_id', sa.String(length=36), nullable=True),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('updated_at', app.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['successor_id'], ['directory_service.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_index('ix_directory_service_kind', 'directory_service', ['kind'])
    op.create_index('ix_directory_service_unit_id', 'directory_service', ['unit_id'])
    op.create_table(
        'directory_service_area',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('service_id', sa.String(length=36), nullable=False),
        sa.Column('unit_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['service_id'], ['directory_service.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('service_id', 'unit_id', name='uq_directory_service_area'),
    )
    op.create_index('ix_directory_service_area_service_id', 'directory_service_area', ['service_id'])
    op.create_index('ix_directory_service_area_unit_id', 'directory_service_area', ['unit_id'])
    with op.batch_alter_table('referral') as batch:
        batch.add_column(sa.Column('service_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('successor_agency_id', sa.String(length=36), nullable=True))
        batch.create_foreign_key('fk_referral_service_id', 'directory_service', ['service_id'], ['id'])
        batch.create_foreign_key('fk_referral_successor_agency_id', 'unit', ['successor_agency_id'], ['id'])
        batch.create_index('ix_referral_service_id', ['service_id'])
        batch.create_index('ix_referral_successor_agency_id', ['successor_agency_id'])
    _map_open_referrals()


def _map_open_referrals():
    """Open referrals to the closed district bodies: handled by the successor agency from now on.

    Only `successor_agency_id` is written; the addressee as sent stays. The audit entries for these moves are
    written by `setup` (the chain needs the application's audit key, which a migration does not hold)."""
    bind = op.get_bind()
    unit = sa.table('unit', sa.column('id'), sa.column('code'))
    referral = sa.table('referral', sa.column('id'), sa.column('agency_id'), sa.column('status'),
                        sa.column('successor_agency_id'))
    codes = dict(bind.execute(sa.select(unit.c.code, unit.c.id).where(
        unit.c.code.in_(list(SUCCESSORS) + list(SUCCESSORS.values())))).all())
    for old, new in SUCCESSORS.items():
        if old in codes and new in codes:
            bind.execute(referral.update().where(referral.c.agency_id == codes[old], referral.c.status.in_(OPEN),
                                                 referral.c.successor_agency_id.is_(None))
                         .values(successor_agency_id=codes[new]))


def downgrade():
    with op.batch_alter_table('referral') as batch:
        batch.drop_index('ix_referral_successor_agency_id')
        batch.drop_index('ix_referral_service_id')
        batch.drop_constraint('fk_referral_successor_agency_id', type_='foreignkey')
        batch.drop_constraint('fk_referral_service_id', type_='foreignkey')
        batch.drop_column('successor_agency_id')
        batch.drop_column('service_id')
    op.drop_table('directory_service_area')
    op.drop_table('directory_service')
