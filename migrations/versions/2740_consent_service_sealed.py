"""consent manner and service codes sealed: a consent's method, giver and language, and a service's kind, status
and dates move from plaintext columns into one sealed field each (manner_enc, codes_enc, under the case's key)

Revision ID: 2740_consent_service_sealed
Revises: 2600_cycle_rule_validity
Create Date: 2026-12-07 14:30:00

No query reads them in SQL, and in clear they told what the sealed profile hides: a consent "given by the
guardian" says the survivor is a child, the language it was explained in says the ethnic group, and a
service's kind and dates beside a trusted address single out every demo case (app/cases/disclosure.py). The
data step reads raw columns with SQL and seals with the crypto functions only (app/crypto/rows.py; no model
is imported, see migration 1500), padded to one size. An erased case's key is gone: its values cannot be
sealed and go with the columns (the statistics never counted them). Downgrade opens them back (an erased
case's come back empty).
"""

import sqlalchemy as sa
from alembic import op

revision = '2740_consent_service_sealed'
down_revision = '2600_cycle_rule_validity'
branch_labels = None
depends_on = None

SIZE = 128  # app/cases/models.py MANNER_SIZE and SERVICE_SIZE: every value seals to one length
# table: (sealed field, [(column, type, NOT NULL default for the downgrade, is a date)])
FIELDS = {
    'case_consent': ('manner', [
        ('method', sa.String(length=30), '', False),
        ('given_by', sa.String(length=30), '', False),
        ('language', sa.String(length=20), None, False),
    ]),
    'case_service': ('codes', [
        ('kind', sa.String(length=30), '', False),
        ('status', sa.String(length=12), 'planned', False),
        ('start_on', sa.Date(), None, True),
        ('end_on', sa.Date(), None, True),
    ]),
}


def upgrade():
    for table, (field, columns) in FIELDS.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column(f'{field}_enc', sa.LargeBinary(), nullable=True))
        _seal(table, field, columns)
        with op.batch_alter_table(table) as batch_op:
            for name, *_rest in columns:
                batch_op.drop_column(name)


def downgrade():
    for table, (field, columns) in FIELDS.items():
        with op.batch_alter_table(table) as batch_op:
            for name, type_, default, _day in columns:
                if default is None:
                    batch_op.add_column(sa.Column(name, type_, nullable=True))
                else:
                    batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        _open(table, field, columns)
        with op.batch_alter_table(table) as batch_op:
            for name, _type, default, _day in columns:
                if default is not None:
                    batch_op.alter_column(name, server_default=None)
            batch_op.drop_column(f'{field}_enc')


def _rows(table: str, columns: str):
    """(row id, case id, the case's wrapped key, *columns) of the rows of live cases."""
    return op.get_bind().execute(sa.text(
        f'SELECT r.id, r.case_id, c.wrapped_dek, {columns} FROM {table} r '
        'JOIN case_record c ON c.id = r.case_id WHERE c.erased_at IS NULL ORDER BY r.case_id, r.id')).all()


def _keys():
    """The data key of each live case, or None when there is nothing to carry across (no key ring needed)."""
    from flask import current_app

    from app.crypto import rows

    return rows.live_case_keys(current_app.extensions['tincay_keyring'], op.get_bind())


def _seal(table: str, field: str, columns: list):
    from app.crypto import rows

    found = _rows(table, ', '.join(f'r.{name}' for name, *_rest in columns))
    if not found:
        return
    key = _keys()
    for row_id, case_id, wrapped, *values in found:
        dek = key(case_id, wrapped)
        if dek is None:
            continue  # erased per the ledger: nothing readable to seal; the values go with the columns
        plain = {}
        for (name, _type, _default, day), value in zip(columns, values, strict=True):
            plain[name] = _iso(value) if day else value
        sealed = rows.seal_json(dek, table, field, row_id, rows.padded(plain, SIZE))
        op.get_bind().execute(sa.text(f'UPDATE {table} SET {field}_enc = :s WHERE id = :id'),
                              {'s': sealed, 'id': row_id})


def _open(table: str, field: str, columns: list):
    from app.crypto import rows

    found = _rows(table, f'r.{field}_enc')
    if not found:
        return
    key = _keys()
    for row_id, case_id, wrapped, blob in found:
        dek = key(case_id, wrapped)
        if dek is None or blob is None:
            continue
        plain = rows.open_json(dek, table, field, row_id, blob) or {}
        values = {}
        for name, _type, default, day in columns:
            value = plain.get(name)
            values[name] = (_day(value) if day else value) if value else default
        assignments = ', '.join(f'{name} = :{name}' for name in values)
        op.get_bind().execute(sa.text(f'UPDATE {table} SET {assignments} WHERE id = :id'), {**values, 'id': row_id})


def _iso(value):
    """A date column's raw value as ISO text (SQLite hands back text, PostgreSQL a date)."""
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _day(value: str):
    from datetime import date

    return date.fromisoformat(value)
