"""case notes can be withdrawn: when and by whom (the text stays, encrypted, as history)

Revision ID: 0700_note_withdrawal
Revises: 0201_blind_scope
Create Date: 2026-12-07 04:45:00

"""
import sqlalchemy as sa
from alembic import op

import app.types

revision = '0700_note_withdrawal'
down_revision = '0201_blind_scope'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_note') as batch:
        batch.add_column(sa.Column('withdrawn_at', app.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('withdrawn_by', sa.String(length=36), nullable=True))
        batch.create_foreign_key(batch.f('fk_case_note_withdrawn_by_user_account'), 'user_account',
                                 ['withdrawn_by'], ['id'])


def downgrade():
    with op.batch_alter_table('case_note') as batch:
        batch.drop_constraint(batch.f('fk_case_note_withdrawn_by_user_account'), type_='foreignkey')
        batch.drop_column('withdrawn_by')
        batch.drop_column('withdrawn_at')
