"""cycle rules by validity: a plan may hold two rules for one round and level, in force one after the other

Revision ID: 2600_cycle_rule_validity
Revises: 2202_incident_dates_sealed
Create Date: 2026-12-07 11:30:00

A plan's deadline rule changed from 2027 is a new row valid from 1/1/2027 beside the old one ended on 31/12/2026,
so 2026's reports keep their deadline. The key of a rule becomes (plan, frequency, round, level, valid_from).
Downgrade keeps, for each key, only the rule in force last and restores the old key.
"""

import sqlalchemy as sa
from alembic import op

revision = '2600_cycle_rule_validity'
down_revision = '2202_incident_dates_sealed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator_cycle_rule') as batch_op:
        batch_op.drop_constraint('uq_indicator_cycle_rule_key', type_='unique')
        batch_op.create_unique_constraint(
            'uq_indicator_cycle_rule_key', ['plan_id', 'frequency', 'round', 'level', 'valid_from']
        )


def downgrade():
    rule = sa.table(
        'indicator_cycle_rule',
        sa.column('id', sa.String),
        sa.column('plan_id', sa.String),
        sa.column('frequency', sa.String),
        sa.column('round', sa.String),
        sa.column('level', sa.String),
        sa.column('valid_from', sa.Date),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(rule).order_by(rule.c.valid_from)).all()
    last = {}
    for row in rows:
        last[(row.plan_id, row.frequency, row.round, row.level)] = row.id
    keep = set(last.values())
    for row in rows:
        if row.id not in keep:
            bind.execute(rule.delete().where(rule.c.id == row.id))
    with op.batch_alter_table('indicator_cycle_rule') as batch_op:
        batch_op.drop_constraint('uq_indicator_cycle_rule_key', type_='unique')
        batch_op.create_unique_constraint('uq_indicator_cycle_rule_key', ['plan_id', 'frequency', 'round', 'level'])
