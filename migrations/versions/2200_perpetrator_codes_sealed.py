"""perpetrator codes sealed: a perpetrator's sex, age band and relation move from plaintext columns into one
sealed field (codes_enc, under the case's key); the statistics read them from stat_tally

Revision ID: 2200_perpetrator_codes_sealed
Revises: 2400_retention_erasure
Create Date: 2026-12-07 11:30:00

Beside a commune's few cases, "husband, 30–44" on a case row's neighbour singles a household out, so the
codes join the perpetrator's sealed identity. The data step reads raw columns with SQL and seals with the
crypto functions only (app/crypto/rows.py; no model is imported, see migration 1500): a live case's
perpetrators are sealed under the case's key, padded to one size; the counts of live cases are the app's
to move, so this migration forgets the counts' version and the next `flask --app wsgi setup` adds their
perpetrator cells (app/cases/tally.py bring_up_to_date). An erased case's key is gone, so its codes cannot be
sealed, and once the columns are dropped nothing could count them any more: this step adds an erased
(still counted) case's perpetrator cells to stat_tally itself, as app/protection/tally.py would have, and the
codes go with the columns. Downgrade opens the live cases' codes back (an erased case's come back empty) and takes the perpetrator
cells out of the counts.
"""
import json
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = '2200_perpetrator_codes_sealed'
down_revision = '2400_retention_erasure'
branch_labels = None
depends_on = None

CODES = ('sex', 'age_band', 'relation')
CODES_SIZE = 128  # app/protection/models.py: every perpetrator's codes seal to one length


def upgrade():
    with op.batch_alter_table('protection_perpetrator') as batch_op:
        batch_op.add_column(sa.Column('codes_enc', sa.LargeBinary(), nullable=True))
    _seal_codes()
    _count_erased()
    op.get_bind().execute(sa.text("DELETE FROM reference_version WHERE name = 'stat_tally'"))
    with op.batch_alter_table('protection_perpetrator') as batch_op:
        for name in CODES:
            batch_op.drop_column(name)


def downgrade():
    with op.batch_alter_table('protection_perpetrator') as batch_op:
        batch_op.add_column(sa.Column('sex', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('age_band', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('relation', sa.String(length=20), nullable=False, server_default=''))
    _open_codes()
    # The perpetrator cells leave the counts (the code before this revision counted from the rows), and the
    # live cases' sealed list of their cells forgets them, so that an upgrade again counts each once.
    op.get_bind().execute(sa.text(
        "DELETE FROM stat_tally WHERE statistic IN ('perpetrator_sex', 'perpetrator_relation', 'perpetrator_month')"))
    _forget_perpetrator_cells()
    op.get_bind().execute(sa.text("DELETE FROM reference_version WHERE name = 'stat_tally'"))
    with op.batch_alter_table('protection_perpetrator') as batch_op:
        for name in CODES:
            batch_op.alter_column(name, server_default=None)
        batch_op.drop_column('codes_enc')


def _padded(values: dict) -> dict:
    values = {**values, 'pad': ''}
    length = len(json.dumps(values, ensure_ascii=False, sort_keys=True).encode('utf-8'))
    values['pad'] = '0' * (-length % CODES_SIZE)
    return values


def _ring():
    if not op.get_bind().execute(sa.text('SELECT 1 FROM protection_perpetrator LIMIT 1')).first():
        return None  # nothing to carry across (and no key ring needed)
    from flask import current_app

    return current_app.extensions['tincay_keyring']


def _perpetrators(columns: str):
    """(perpetrator id, case id, the case's wrapped key, *columns) of the perpetrators of live cases."""
    return op.get_bind().execute(sa.text(
        f'SELECT p.id, p.case_id, c.wrapped_dek, {columns} FROM protection_perpetrator p '
        'JOIN case_record c ON c.id = p.case_id WHERE c.erased_at IS NULL ORDER BY p.case_id, p.id')).all()


def _keys(ring):
    """The data key of each live case, opened once (None: erased per the ledger, or its key is gone)."""
    from app.crypto import rows

    return rows.live_case_keys(ring, op.get_bind())


def _seal_codes():
    from app.crypto import rows

    ring = _ring()
    if ring is None:
        return
    key = _keys(ring)
    for person_id, case_id, wrapped, *codes in _perpetrators(', '.join(f'p.{n}' for n in CODES)):
        dek = key(case_id, wrapped)
        if dek is None:
            continue  # erased per the ledger: nothing readable to seal; the codes go with the columns
        sealed = rows.seal_json(dek, 'protection_perpetrator', 'codes', person_id,
                                _padded(dict(zip(CODES, codes, strict=True))))
        op.get_bind().execute(sa.text('UPDATE protection_perpetrator SET codes_enc = :c WHERE id = :id'),
                              {'c': sealed, 'id': person_id})


def _count_erased():
    """Add the perpetrator cells of erased cases that still count (app/protection/tally.py, perpetrators, as of
    this revision): once a year each by sex and by relation, once per incident by month and relation."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        'SELECT c.unit_id, p.id, p.sex, p.relation, i.occurred_on, i.period_to, i.period_from '
        'FROM protection_incident_perpetrator ip '
        'JOIN protection_incident i ON i.id = ip.incident_id '
        'JOIN protection_perpetrator p ON p.id = ip.perpetrator_id '
        'JOIN case_record c ON c.id = p.case_id '
        'WHERE c.erased_at IS NOT NULL AND c.in_statistics')).all()
    cells: Counter = Counter()
    years = set()
    for unit_id, person_id, sex, relation, *days in rows:
        day = next((_day(d) for d in days if d is not None), None)
        if day is None:
            continue
        cells[('perpetrator_month', unit_id, f'{day[0]}-{day[1]:02d}', '', relation)] += 1
        years.add((unit_id, person_id, sex, relation, day[0]))
    for unit_id, _person, sex, relation, year in years:
        cells[('perpetrator_sex', unit_id, str(year), '', sex)] += 1
        cells[('perpetrator_relation', unit_id, str(year), '', relation)] += 1
    for (statistic, unit_id, period, until, category), n in sorted(cells.items()):
        updated = connection.execute(sa.text(
            'UPDATE stat_tally SET count = count + :n WHERE statistic = :s AND unit_id = :u AND period = :p '
            'AND until = :t AND category = :c'),
            {'n': n, 's': statistic, 'u': unit_id, 'p': period, 't': until, 'c': category})
        if not updated.rowcount:
            connection.execute(sa.text(
                'INSERT INTO stat_tally (statistic, unit_id, period, until, category, count) '
                'VALUES (:s, :u, :p, :t, :c, :n)'),
                {'n': n, 's': statistic, 'u': unit_id, 'p': period, 't': until, 'c': category})


def _day(value) -> tuple[int, int]:
    """(year, month) of a date column as the driver returns it (a date, or text on SQLite)."""
    if isinstance(value, str):
        return int(value[:4]), int(value[5:7])
    return value.year, value.month


def _open_codes():
    from app.crypto import rows

    ring = _ring()
    if ring is None:
        return
    key = _keys(ring)
    for person_id, case_id, wrapped, blob in _perpetrators('p.codes_enc'):
        dek = key(case_id, wrapped)
        if dek is None or blob is None:
            continue
        codes = rows.open_json(dek, 'protection_perpetrator', 'codes', person_id, blob)
        op.get_bind().execute(
            sa.text('UPDATE protection_perpetrator SET sex = :sex, age_band = :age_band, relation = :relation '
                    'WHERE id = :id'), {**{n: codes.get(n, '') for n in CODES}, 'id': person_id})


def _forget_perpetrator_cells():
    """Take the perpetrator cells out of each live case's sealed list of the cells it counts in."""
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
        cells = [c for c in kept.get('cells', []) if not c[0].startswith('perpetrator')]
        if len(cells) == len(kept.get('cells', [])):
            continue
        values = {'cells': cells, 'pad': ''}
        length = len(json.dumps(values, ensure_ascii=False, sort_keys=True).encode('utf-8'))
        values['pad'] = '0' * (-length % 256)  # app/cases/models.py SEALED_SIZE
        connection.execute(sa.text('UPDATE case_record SET tally_keys_enc = :t WHERE id = :id'),
                           {'t': rows.seal_json(dek, 'case_record', 'tally_keys', case_id, values), 'id': case_id})
