"""incident: the sexual-violence sub-form (rape / other sexual assault) and forced marriage (Law 13/2022 Art. 3(1))
as coded fields, for the GBVIMS incident types

Revision ID: 2700_incident_gbvims
Revises: 2500_agreement_per_service
Create Date: 2026-12-07 11:10:00

Incidents recorded before have no sub-form: the GBVIMS table counts them in a column of their own ("sexual, not
classified") rather than guessing rape or assault.
"""

import sqlalchemy as sa
from alembic import op

revision = '2700_incident_gbvims'
down_revision = '2500_agreement_per_service'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('protection_incident') as batch:
        batch.add_column(sa.Column('sexual_kind', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('forced_marriage', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('protection_incident') as batch:
        batch.drop_column('forced_marriage')
        batch.drop_column('sexual_kind')
