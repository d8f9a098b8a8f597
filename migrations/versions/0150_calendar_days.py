"""calendar_day: the installation's own days off and working days (swaps the government announces each year)

Revision ID: 0150_calendar_days
Revises: 0800_offline
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0150_calendar_days'
down_revision = '0800_offline'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_day',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_calendar_day_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_day')),
        sa.UniqueConstraint('day', name=op.f('uq_calendar_day_day')),
    )


def downgrade():
    op.drop_table('calendar_day')
