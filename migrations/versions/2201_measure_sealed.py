"""measure sealed: which protective measure (Law 13/2022 Art. 22), who decided it, its outcome and its dates move
from plaintext columns into one sealed field (details_enc, under the case's key); the statistics read stat_tally

Revision ID: 2201_measure_sealed
Revises: 2200_perpetrator_codes_sealed
Create Date: 2026-12-07 11:20:00

As migration 2200 does for perpetrators: raw columns, the crypto functions only (app/crypto/rows.py), no model.
A live case's measures are sealed under its key, padded to one size; setup then adds their cells
(app/protection/tally.py, measures). An erased case's key is gone: this step adds its measures' cells (still
counted) to stat_tally itself, and their values go with the columns. No deadline or list reads a measure in
SQL (app/deadlines, app/workqueue, app/protection/clocks.py), so nothing else needs them in clear. Downgrade
opens the live cases' measures back (an erased case's come back empty) and takes their cells out of the counts.
"""
import json
from collections import Counter
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '2201_measure_sealed'
down_revision = '2200_perpetrator_codes_sealed'
branch_labels = None
depends_on = None

CODES = ('measure', 'decided_by', 'outcome')
DAYS = ('decided_on', 'start_on', 'end_on')
SIZE = 256  # app/protection/models.py MEASURE_SIZE
CELLS = ('measure', 'measure_month')


def upgrade():
    with op.batch_alter_table('protection_measure') as batch_op:
        batch_op.add_column(sa.Column('details_enc', sa.LargeBinary(), nullable=True))
    _seal()
    _count_erased()
    op.get_bind().execute(sa.text("DELETE FROM reference_version WHERE name = 'stat_tally'"))
    with op.batch_alter_table('protection_measure') as batch_op:
        batch_op.drop_index('ix_protection_measure_measure')
        for name in (*CODES, *DAYS):
            batch_op.drop_column(name)


def downgrade():
    with op.batch_alter_table('protection_measure') as batch_op:
        batch_op.add_column(sa.Column('measure', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decided_by', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('outcome', sa.String(length=12), nullable=False, server_default='ongoing'))
        # nullable: an erased case's measure has no day to come back with
        batch_op.add_column(sa.Column('decided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('start_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_protection_measure_measure', ['measure'], unique=False)
    _open()
    op.get_bind().execute(sa.text("DELETE FROM stat_tally WHERE statistic IN ('measure', 'measure_month')"))
    _forget_cells()
    op.get_bind().execute(sa.text("DELETE FROM reference_version WHERE name = 'stat_tally'"))
    with op.batch_alter_table('protection_measure') as batch_op:
        for name in CODES:
            batch_op.alter_column(name, server_default=None)
        batch_op.drop_column('details_enc')


def _padded(values: dict, size: int) -> dict:
    values = {**values, 'pad': ''}
    length = len(json.dumps(values, ensure_ascii=False, sort_keys=True).encode('utf-8'))
    values['pad'] = '0' * (-length % size)
    return values


def _iso(value):
    """A date column's value as ISO text (the driver gives a date, or text on SQLite)."""
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _ring():
    if not op.get_bind().execute(sa.text('SELECT 1 FROM protection_measure LIMIT 1')).first():
        return None
    from flask import current_app

    return current_app.extensions['tincay_keyring']


def _keys(ring):
    """The data key of a live case, opened once (None: erased per the ledger, or its key is gone)."""
    from app.crypto import rows

    return rows.live_case_keys(ring, op.get_bind())


def _measures(columns: str, erased: bool = False):
    return op.get_bind().execute(sa.text(
        f'SELECT m.id, m.case_id, c.wrapped_dek, c.unit_id, {columns} FROM protection_measure m '
        'JOIN case_record c ON c.id = m.case_id WHERE c.erased_at IS ' + ('NOT NULL AND c.in_statistics' if erased else 'NULL')
        + ' ORDER BY m.case_id, m.id')).all()


def _seal():
    from app.crypto import rows

    ring = _ring()
    if ring is None:
        return
    key = _keys(ring)
    for measure_id, case_id, wrapped, _unit, *values in _measures(', '.join(f'm.{n}' for n in (*CODES, *DAYS))):
        dek = key(case_id, wrapped)
        if dek is None:
            continue
        details = dict(zip(CODES, values[:3], strict=True)) | {
            n: _iso(v) for n, v in zip(DAYS, values[3:], strict=True)}
        op.get_bind().execute(sa.text('UPDATE protection_measure SET details_enc = :d WHERE id = :id'), {
            'd': rows.seal_json(dek, 'protection_measure', 'details', measure_id, _padded(details, SIZE)),
            'id': measure_id})


def _count_erased():
    """Add the cells of erased (still counted) cases' measures, as app/protection/tally.py counts them."""
    cells: Counter = Counter()
    for _id, _case, _wrapped, unit_id, code, day in _measures('m.measure, m.decided_on', erased=True):
        if day is None:
            continue
        day = date.fromisoformat(_iso(day))
        cells[('measure', unit_id, str(day.year), '', code)] += 1
        cells[('measure_month', unit_id, f'{day.year}-{day.month:02d}', '', code)] += 1
    connection = op.get_bind()
    for (statistic, unit_id, period, until, category), n in sorted(cells.items()):
        values = {'n': n, 's': statistic, 'u': unit_id, 'p': period, 't': until, 'c': category}
        updated = connection.execute(sa.text(
            'UPDATE stat_tally SET count = count + :n WHERE statistic = :s AND unit_id = :u AND period = :p '
            'AND until = :t AND category = :c'), values)
        if not updated.rowcount:
            connection.execute(sa.text(
                'INSERT INTO stat_tally (statistic, unit_id, period, until, category, count) '
                'VALUES (:s, :u, :p, :t, :c, :n)'), values)


def _open():
    from app.crypto import rows

    ring = _ring()
    if ring is None:
        return
    key = _keys(ring)
    for measure_id, case_id, wrapped, _unit, blob in _measures('m.details_enc'):
        dek = key(case_id, wrapped)
        if dek is None or blob is None:
            continue
        details = rows.open_json(dek, 'protection_measure', 'details', measure_id, blob)
        values = {n: details.get(n) or '' for n in CODES} | {
            n: date.fromisoformat(details[n]) if details.get(n) else None for n in DAYS}
        op.get_bind().execute(sa.text(
            'UPDATE protection_measure SET measure = :measure, decided_by = :decided_by, outcome = :outcome, '
            'decided_on = :decided_on, start_on = :start_on, end_on = :end_on WHERE id = :id'),
            {**values, 'id': measure_id})


def _forget_cells():
    """Take the measure cells out of each live case's sealed list of the cells it counts in."""
    from app.crypto import rows

    ring = _ring()
    if ring is None:
        return
    key = _keys(ring)
    connection = op.get_bind()
    found = connection.execute(sa.text(
        'SELECT id, wrapped_dek, tally_keys_enc FROM case_record WHERE erased_at IS NULL AND tally_keys_enc IS NOT NULL'
    )).all()
    for case_id, wrapped, blob in found:
        dek = key(case_id, wrapped)
        if dek is None:
            continue
        kept = rows.open_json(dek, 'case_record', 'tally_keys', case_id, blob)
        cells = [c for c in kept.get('cells', []) if c[0] not in CELLS]
        if len(cells) == len(kept.get('cells', [])):
            continue
        sealed = rows.seal_json(dek, 'case_record', 'tally_keys', case_id, _padded({'cells': cells}, 256))
        connection.execute(sa.text('UPDATE case_record SET tally_keys_enc = :t WHERE id = :id'),
                           {'t': sealed, 'id': case_id})
