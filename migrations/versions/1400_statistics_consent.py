"""statistics consent: a case leaves the derived figures when consent for statistics is withdrawn

Revision ID: 1400_statistics_consent
Revises: 1200_registers
Create Date: 2026-12-07 08:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '1400_statistics_consent'
down_revision = '1200_registers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_statistics', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_index('ix_case_record_out_of_statistics', ['id'], unique=False,
                              sqlite_where=sa.text('in_statistics = 0'), postgresql_where=sa.text('NOT in_statistics'))
        # The yearly count stays covered by its index, now with the flag in it.
        batch_op.drop_index('ix_case_record_unit_kind_span')
        batch_op.create_index('ix_case_record_unit_kind_span',
                              ['unit_id', 'kind', 'opened_on', 'closed_on', 'in_statistics'], unique=False)
    # Cases whose statistics consent was already withdrawn (and not given again) leave the figures now.
    op.execute(sa.text(
        "UPDATE case_record SET in_statistics = false WHERE id IN ("
        " SELECT case_id FROM case_consent WHERE purpose = 'statistics' AND withdrawn_on IS NOT NULL)"
        " AND id NOT IN (SELECT case_id FROM case_consent WHERE purpose = 'statistics' AND withdrawn_on IS NULL)"))


def downgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_unit_kind_span')
        batch_op.create_index('ix_case_record_unit_kind_span', ['unit_id', 'kind', 'opened_on', 'closed_on'],
                              unique=False)
        batch_op.drop_index('ix_case_record_out_of_statistics')
        batch_op.drop_column('in_statistics')
