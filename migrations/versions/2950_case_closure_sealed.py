"""case closure reason sealed: case_record.closure_reason (deceased, not_eligible, client_withdrew…) moves from a
plaintext column into a sealed field under the case's key (closure_enc), padded to one length

Revision ID: 2950_case_closure_sealed
Revises: 2940_known_device
Create Date: 2026-12-07 23:45:00

No query reads it in SQL (the case page shows it), and in clear it said what happened to a person beside a
commune's few cases. The data step reads raw columns with SQL and seals with the crypto functions only
(app/crypto/rows.py; no model is imported, see migration 1500). An erased case's reason was already cleared
(its key is gone: nothing could seal it) and goes with the column. Downgrade opens the reasons back.
"""

import sqlalchemy as sa
from alembic import op

revision = '2950_case_closure_sealed'
down_revision = '2940_known_device'
branch_labels = None
depends_on = None

SIZE = 64  # app/cases/models.py CLOSURE_SIZE: every reason seals to one length


def upgrade():
    with op.batch_alter_table('case_record') as batch_op:
        batch_op.add_column(sa.Column('closure_enc', sa.LargeBinary(), nullable=True))
    _seal()
    with op.batch_alter_table('case_record') as batch_op:
        batch_op.drop_column('closure_reason')


def downgrade():
    with op.batch_alter_table('case_record') as batch_op:
        batch_op.add_column(sa.Column('closure_reason', sa.String(length=40), nullable=True))
    _open()
    with op.batch_alter_table('case_record') as batch_op:
        batch_op.drop_column('closure_enc')


def _rows(column: str):
    """(id, wrapped key, column) of the live cases where `column` holds a value."""
    return op.get_bind().execute(sa.text(
        f'SELECT id, wrapped_dek, {column} FROM case_record WHERE erased_at IS NULL AND {column} IS NOT NULL '
        'ORDER BY id')).all()


def _keys():
    """The data key of each live case (the key ring of the app running the migration)."""
    from flask import current_app

    from app.crypto import rows

    return rows.live_case_keys(current_app.extensions['tincay_keyring'], op.get_bind())


def _seal():
    from app.crypto import rows

    found = _rows('closure_reason')
    if not found:
        return  # a new database, or no closed case: no key ring needed
    key = _keys()
    for case_id, wrapped, reason in found:
        dek = key(case_id, wrapped)
        if dek is None:
            continue  # erased per the ledger: nothing readable to seal; the value goes with the column
        sealed = rows.seal_json(dek, 'case_record', 'closure', case_id, rows.padded({'reason': reason}, SIZE))
        op.get_bind().execute(sa.text('UPDATE case_record SET closure_enc = :s WHERE id = :id'),
                              {'s': sealed, 'id': case_id})


def _open():
    from app.crypto import rows

    found = _rows('closure_enc')
    if not found:
        return
    key = _keys()
    for case_id, wrapped, blob in found:
        dek = key(case_id, wrapped)
        if dek is None:
            continue
        reason = (rows.open_json(dek, 'case_record', 'closure', case_id, blob) or {}).get('reason') or None
        op.get_bind().execute(sa.text('UPDATE case_record SET closure_reason = :r WHERE id = :id'),
                              {'r': reason, 'id': case_id})
