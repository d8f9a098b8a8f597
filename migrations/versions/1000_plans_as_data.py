"""plans as data: a plan has a programme, version, status and validity; indicators, activities, cycles and budget
lines belong to a plan; cycle rules (fixed days or working days after a quarter or year) are rows

Revision ID: 1000_plans_as_data
Revises: 1400_statistics_consent
Create Date: 2026-12-07 08:00:00

The 2022 plan's rows already in a database are attached to it here; on a new database `setup` loads the plan
(app.indicators.services:load_catalogue) and attaches nothing, there is nothing yet.
"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '1000_plans_as_data'
down_revision = '1400_statistics_consent'
branch_labels = None
depends_on = None

PLAN_2022 = "TG-DA8-2021-2025"


def _plan_fk(batch_op, table: str) -> None:
    batch_op.add_column(sa.Column('plan_id', sa.String(length=36), nullable=True))
    batch_op.create_index(batch_op.f(f'ix_{table}_plan_id'), ['plan_id'], unique=False)
    batch_op.create_foreign_key(batch_op.f(f'fk_{table}_plan_id_indicator_plan'), 'indicator_plan', ['plan_id'],
                                ['id'])


def upgrade():
    with op.batch_alter_table('indicator_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme', sa.String(length=40), server_default='DA8', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('previous_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('middle_level', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('owner_unit_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('activated_at', app.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', app.types.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_indicator_plan_previous_id_indicator_plan'), 'indicator_plan',
                                    ['previous_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_indicator_plan_owner_unit_id_unit'), 'unit', ['owner_unit_id'],
                                    ['id'])

    with op.batch_alter_table('indicator_def', schema=None) as batch_op:
        _plan_fk(batch_op, 'indicator_def')
        batch_op.add_column(sa.Column('formula', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.drop_constraint('uq_indicator_def_code', type_='unique')
        batch_op.create_unique_constraint('uq_indicator_def_plan_code', ['plan_id', 'code'])

    with op.batch_alter_table('indicator_activity', schema=None) as batch_op:
        _plan_fk(batch_op, 'indicator_activity')
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.drop_constraint('uq_indicator_activity_code', type_='unique')
        batch_op.create_unique_constraint('uq_indicator_activity_plan_code', ['plan_id', 'code'])

    with op.batch_alter_table('indicator_cycle', schema=None) as batch_op:
        _plan_fk(batch_op, 'indicator_cycle')
        batch_op.add_column(sa.Column('period', sa.String(length=3), server_default='Y', nullable=False))
        batch_op.drop_constraint('uq_indicator_cycle_year_round', type_='unique')
        batch_op.create_unique_constraint('uq_indicator_cycle_key', ['plan_id', 'year', 'round', 'period'])

    with op.batch_alter_table('indicator_budget_line', schema=None) as batch_op:
        _plan_fk(batch_op, 'indicator_budget_line')

    op.create_table(
        'indicator_cycle_rule',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('plan_id', sa.String(length=36), nullable=False),
        sa.Column('frequency', sa.String(length=10), nullable=False),
        sa.Column('round', sa.String(length=12), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=True),
        sa.Column('fixed_month', sa.Integer(), nullable=True),
        sa.Column('fixed_day', sa.Integer(), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['indicator_plan.id'],
                                name=op.f('fk_indicator_cycle_rule_plan_id_indicator_plan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_cycle_rule')),
        sa.UniqueConstraint('plan_id', 'frequency', 'round', 'level', name='uq_indicator_cycle_rule_key'),
    )
    with op.batch_alter_table('indicator_cycle_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_cycle_rule_plan_id'), ['plan_id'], unique=False)

    # A database that already holds the 2022 plan: its rows are that plan's.
    for table in ('indicator_def', 'indicator_activity', 'indicator_cycle', 'indicator_budget_line'):
        op.execute(f"UPDATE {table} SET plan_id = (SELECT id FROM indicator_plan WHERE code = '{PLAN_2022}') "
                   "WHERE plan_id IS NULL")


def downgrade():
    op.drop_table('indicator_cycle_rule')
    with op.batch_alter_table('indicator_budget_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicator_budget_line_plan_id_indicator_plan'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_indicator_budget_line_plan_id'))
        batch_op.drop_column('plan_id')
    with op.batch_alter_table('indicator_cycle', schema=None) as batch_op:
        batch_op.drop_constraint('uq_indicator_cycle_key', type_='unique')
        batch_op.create_unique_constraint('uq_indicator_cycle_year_round', ['year', 'round'])
        batch_op.drop_constraint(batch_op.f('fk_indicator_cycle_plan_id_indicator_plan'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_indicator_cycle_plan_id'))
        batch_op.drop_column('period')
        batch_op.drop_column('plan_id')
    for table in ('indicator_activity', 'indicator_def'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_plan_code', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_code', ['code'])
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_plan_id_indicator_plan'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_plan_id'))
            batch_op.drop_column('valid_to')
            batch_op.drop_column('valid_from')
            if table == 'indicator_def':
                batch_op.drop_column('source')
                batch_op.drop_column('formula')
            batch_op.drop_column('plan_id')
    with op.batch_alter_table('indicator_plan', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicator_plan_owner_unit_id_unit'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_indicator_plan_previous_id_indicator_plan'), type_='foreignkey')
        for column in ('updated_at', 'activated_at', 'valid_to', 'valid_from', 'owner_unit_id', 'middle_level',
                       'previous_id', 'status', 'version', 'programme'):
            batch_op.drop_column(column)
