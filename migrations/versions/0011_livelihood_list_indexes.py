"""livelihood list indexes: the reviewer's queue and decisions read in their order

Revision ID: 0011_livelihood_list_indexes
Revises: 0004_livelihood
Create Date: 2026-11-29 11:00:00

"""
from alembic import op

revision = '0011_livelihood_list_indexes'
down_revision = '0004_livelihood'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_livelihood_plan_status_submitted', 'livelihood_plan', ['status', 'submitted_at', 'id'],
                    unique=False)
    op.create_index('ix_livelihood_plan_decided', 'livelihood_plan', ['decided_at'], unique=False)


def downgrade():
    op.drop_index('ix_livelihood_plan_decided', table_name='livelihood_plan')
    op.drop_index('ix_livelihood_plan_status_submitted', table_name='livelihood_plan')
