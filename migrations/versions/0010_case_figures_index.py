"""case figures index: counting a unit's cases open in a year, by kind, from the index alone

Revision ID: 0010_case_figures_index
Revises: 0002_cases
Create Date: 2026-11-29 10:20:00

"""
from alembic import op

revision = '0010_case_figures_index'
down_revision = '0002_cases'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_case_record_unit_kind_span', 'case_record', ['unit_id', 'kind', 'opened_on', 'closed_on'],
                    unique=False)


def downgrade():
    op.drop_index('ix_case_record_unit_kind_span', table_name='case_record')
