"""incident dates sealed: an incident's day (or approximate period) moves from plaintext columns into one sealed
field (dates_enc, under the case's key); in clear only the quarter it counts in; the tables read stat_tally

Revision ID: 2202_incident_dates_sealed
Revises: 2201_measure_sealed
Create Date: 2026-12-07 11:40:00

As migrations 2200 and 2201: raw columns, the crypto functions only (app/crypto/rows.py), no model. A live
case's incidents are sealed under its key and get their quarter (the national export selects a period by it);
setup then adds their cells (app/protection/tally.py, incidents: by form and year, by type and month). An
erased case's key is gone: this step adds its incidents' cells to stat_tally itself, and its dates go with
the columns (its incidents keep no quarter). Downgrade opens the live cases' dates back (an erased case's
come back empty) and takes the incident cells out of the counts.
"""
import json
from collections import Counter
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '2202_incident_dates_sealed'
down_revision = '2201_measure_sealed'
branch_labels = None
depends_on = None

DAYS = ('occurred_on', 'period_from', 'period_to')
SIZE = 128  # app/protection/models.py DATES_SIZE
CELLS = ('incident_form', 'incident_type')


def upgrade():
    with op.batch_alter_table('protection_incident') as batch_op:
        batch_op.add_column(sa.Column('dates_enc', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('quarter', sa.String(length=7), nullable=True))
        batch_op.create_index('ix_protection_incident_quarter', ['quarter'], unique=False)
    _seal()
    _count_erased()
    op.get_bind().execute(sa.text("DELETE FROM reference_version WHERE name = 'stat_tally'"))
    with op.batch_alter_table('protection_incident') as batch_op:
        for name in DAYS:
            batch_op.drop_column(name)


def downgrade():
    with op.batch_alter_table('protection_incident') as batch_op:
        for name in DAYS:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
    _open()
    op.get_bind().execute(sa.text("DELETE FROM stat_tally WHERE statistic IN ('incident_form', 'incident_type')"))
    _forget_cells()
    op.get_bind().execute(sa.text("DELETE FROM reference_version WHERE name = 'stat_tally'"))
    with op.batch_alter_table('protection_incident') as batch_op:
        batch_op.drop_index('ix_protection_incident_quarter')
        batch_op.drop_column('quarter')
        batch_op.drop_column('dates_enc')


def _padded(values: dict, size: int) -> dict:
    values = {**values, 'pad': ''}
    length = len(json.dumps(values, ensure_ascii=False, sort_keys=True).encode('utf-8'))
    values['pad'] = '0' * (-length % size)
    return values


def _iso(value):
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _incident_type(forms: set, sexual_kind, forced_marriage) -> str | None:
    """The one GBVIMS type of an incident (app/protection/tally.py incident_type, as of this revision)."""
    if 'sexual' in forms:
        return {'rape': 'rape', 'other_assault': 'sexual_assault'}.get(sexual_kind or '', 'sexual_unclassified')
    if 'physical' in forms:
        return 'physical'
    if forced_marriage:
        return 'forced_marriage'
    return next((form for form in ('economic', 'psychological') if form in forms), None)


def _counting_day(values) -> date | None:
    """The day an incident counts on: its day, else the end, else the start of its period."""
    occurred, start, end = (_iso(v) for v in values)
    found = occurred or end or start
    return date.fromisoformat(found) if found else None


def _ring():
    if not op.get_bind().execute(sa.text('SELECT 1 FROM protection_incident LIMIT 1')).first():
        return None
    from flask import current_app

    return current_app.extensions['tincay_keyring']


def _keys(ring):
    """The data key of a live case, opened once (None: erased per the ledger, or its key is gone)."""
    from app.crypto import rows

    return rows.live_case_keys(ring, op.get_bind())


def _incidents(columns: str, erased: bool = False):
    return op.get_bind().execute(sa.text(
        f'SELECT i.id, i.case_id, c.wrapped_dek, c.unit_id, {columns} FROM protection_incident i '
        'JOIN case_record c ON c.id = i.case_id WHERE c.erased_at IS ' + ('NOT NULL AND c.in_statistics' if erased else 'NULL')
        + ' ORDER BY i.case_id, i.id')).all()


def _seal():
    from app.crypto import rows

    ring = _ring()
    if ring is None:
        return
    key = _keys(ring)
    for incident_id, case_id, wrapped, _unit, *values in _incidents(', '.join(f'i.{n}' for n in DAYS)):
        dek = key(case_id, wrapped)
        if dek is None:
            continue
        day = _counting_day(values)
        dates = {n: _iso(v) for n, v in zip(DAYS, values, strict=True)}
        op.get_bind().execute(sa.text('UPDATE protection_incident SET dates_enc = :d, quarter = :q WHERE id = :id'), {
            'd': rows.seal_json(dek, 'protection_incident', 'dates', incident_id, _padded(dates, SIZE)),
            'q': f'{day.year}-Q{(day.month - 1) // 3 + 1}' if day else None,
            'id': incident_id})


def _count_erased():
    """Add the cells of erased (still counted) cases' incidents, as app/protection/tally.py counts them."""
    connection = op.get_bind()
    forms: dict = {}
    for incident_id, form in connection.execute(sa.text('SELECT incident_id, form FROM protection_incident_form')):
        forms.setdefault(incident_id, set()).add(form)
    cells: Counter = Counter()
    by_year = set()
    columns = ', '.join(f'i.{n}' for n in DAYS) + ', i.sexual_kind, i.forced_marriage'
    for incident_id, case_id, _wrapped, unit_id, *values in _incidents(columns, True):
        day = _counting_day(values[:3])
        if day is None:
            continue
        mine = forms.get(incident_id, set())
        by_year.update((case_id, unit_id, day.year, form) for form in mine)
        kind = _incident_type(mine, values[3], bool(values[4]))
        if kind:
            cells[('incident_type', unit_id, f'{day.year}-{day.month:02d}', '', kind)] += 1
    for _case, unit_id, year, form in by_year:
        cells[('incident_form', unit_id, str(year), '', form)] += 1
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
    for incident_id, case_id, wrapped, _unit, blob in _incidents('i.dates_enc'):
        dek = key(case_id, wrapped)
        if dek is None or blob is None:
            continue
        dates = rows.open_json(dek, 'protection_incident', 'dates', incident_id, blob)
        values = {n: date.fromisoformat(dates[n]) if dates.get(n) else None for n in DAYS}
        op.get_bind().execute(sa.text(
            'UPDATE protection_incident SET occurred_on = :occurred_on, period_from = :period_from, '
            'period_to = :period_to WHERE id = :id'), {**values, 'id': incident_id})


def _forget_cells():
    """Take the incident cells out of each live case's sealed list of the cells it counts in."""
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
