"""reference_version: the version of each reference-data loader last loaded (setup skips unchanged data)

Revision ID: 0160_reference_version
Revises: 0401_referral_tombstone
Create Date: 2026-12-07 05:20:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0160_reference_version'
down_revision = '0401_referral_tombstone'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reference_version',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('loaded_at', app.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_reference_version')),
    )


def downgrade():
    op.drop_table('reference_version')
