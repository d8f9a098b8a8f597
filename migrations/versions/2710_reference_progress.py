"""reference_progress: how far a long reference-data loader has got (setup's statistics recount resumes from it)

Revision ID: 2710_reference_progress
Revises: 2701_followup_queue_index_id
Create Date: 2026-12-07 14:00:00

The recount of the statistics' counts (app/cases/tally.py `recount`) commits one batch of cases at a time and
records here, in the same transaction, the last case id it counted; an interrupted `setup` continues from there.
A row holds no personal data: a loader's name, the version it is bringing the data to, a case id, counts.
"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '2710_reference_progress'
down_revision = '2701_followup_queue_index_id'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reference_progress',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('after_id', sa.String(length=36), nullable=True),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('started_at', app.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', app.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_reference_progress')),
    )


def downgrade():
    op.drop_table('reference_progress')
