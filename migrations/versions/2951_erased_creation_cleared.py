"""erased cases keep no creator or creation time: on every case already erased, created_by_id goes and
created_at becomes the erasure's time (erasure does the same from now on, app/cases/services.py
clear_summary_tier)

Revision ID: 2951_erased_creation_cleared
Revises: 2950_case_closure_sealed
Create Date: 2026-12-08 00:10:00

No count reads them (an erased case counts by unit, kind, quarters and in_statistics, app/cases/tally.py
kept_contributions), and the creation time is the moment of intake, finer than the opening quarter the
erased row keeps. Data only; the downgrade cannot bring them back (nothing kept them).
"""

import sqlalchemy as sa
from alembic import op

revision = '2951_erased_creation_cleared'
down_revision = '2950_case_closure_sealed'
branch_labels = None
depends_on = None


def upgrade():
    op.get_bind().execute(sa.text(
        'UPDATE case_record SET created_by_id = NULL, created_at = erased_at WHERE erased_at IS NOT NULL'))


def downgrade():
    pass  # erased: nothing is left to restore
