"""case profile sealed, statistics from counts: sex, age band, ethnic group, disability, poverty and village move
from plaintext columns of case_record into the sealed profile; the reports read stat_tally

Revision ID: 1500_case_profile_sealed
Revises: 1201_registry_support
Create Date: 2026-12-07 08:15:00

The data step seals each live case's profile under its case key (the key ring of the app running the
migration), in the same transaction as the schema change. It reads and writes raw columns with SQL and seals
with the crypto functions only (app/crypto/rows.py), never the app's models: a model describes the schema at
head, so importing one here would break the upgrade of an old database as soon as a later migration adds a
column to case_record. Downgrade opens the profiles and writes the plaintext columns back.

The counts (stat_tally) are not built here: counting is app logic (app/cases/tally.py). This migration
forgets the counts' recorded version, so the next `flask --app wsgi setup` (which runs the upgrade and then
the versioned loaders, app/reference.py) builds them, once.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '1500_case_profile_sealed'
down_revision = '1201_registry_support'
branch_labels = None
depends_on = None

PROFILE = ('sex', 'age_band', 'ethnic_code', 'ethnic_list', 'disability', 'poverty_status', 'village_id')


def upgrade():
    op.create_table(
        'stat_tally',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('statistic', sa.String(length=30), nullable=False),
        sa.Column('unit_id', sa.String(length=36), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('until', sa.String(length=7), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_stat_tally_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_tally')),
        sa.UniqueConstraint('statistic', 'unit_id', 'period', 'until', 'category', name='uq_stat_tally_cell'),
    )
    op.create_index(op.f('ix_stat_tally_unit_id'), 'stat_tally', ['unit_id'], unique=False)
    with op.batch_alter_table('case_record') as batch_op:
        batch_op.add_column(sa.Column('profile_enc', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('tally_keys_enc', sa.LargeBinary(), nullable=True))
    _seal_profiles()
    _counts_need_rebuild()
    with op.batch_alter_table('case_record') as batch_op:
        batch_op.drop_constraint('fk_case_record_village_id_unit', type_='foreignkey')
        for name in PROFILE:
            batch_op.drop_column(name)


def downgrade():
    with op.batch_alter_table('case_record') as batch_op:
        batch_op.add_column(sa.Column('sex', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('age_band', sa.String(length=12), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('ethnic_code', sa.String(length=4), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('ethnic_list', sa.String(length=10), nullable=False, server_default='GSO'))
        batch_op.add_column(sa.Column('disability', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('poverty_status', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('village_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key('fk_case_record_village_id_unit', 'unit', ['village_id'], ['id'])
    _open_profiles()
    with op.batch_alter_table('case_record') as batch_op:
        for name in PROFILE[:-1]:
            batch_op.alter_column(name, server_default=None)
        batch_op.drop_column('tally_keys_enc')
        batch_op.drop_column('profile_enc')
    op.drop_index(op.f('ix_stat_tally_unit_id'), table_name='stat_tally')
    op.drop_table('stat_tally')


# The defaults and padding of the profile as sealed by this revision (app/cases/models.py PROFILE_DEFAULTS
# and padded, frozen here: a migration does not import the models).
DEFAULTS = {'sex': '', 'age_band': '', 'ethnic_code': '', 'ethnic_list': 'GSO', 'disability': False,
            'poverty_status': '', 'village_id': None}
SEALED_SIZE = 256


def _padded(values: dict) -> dict:
    values = {**values, 'pad': ''}
    length = len(json.dumps(values, ensure_ascii=False, sort_keys=True).encode('utf-8'))
    values['pad'] = '0' * (-length % SEALED_SIZE)
    return values


def _ring():
    """The key ring of the app running the migration, or None when the database holds no case to convert."""
    connection = op.get_bind()
    if not connection.execute(sa.text('SELECT 1 FROM case_record WHERE erased_at IS NULL LIMIT 1')).first():
        return None  # a new database: nothing to carry across (and no key ring needed)
    from flask import current_app

    return current_app.extensions['tincay_keyring']


def _live_cases(columns: str):
    """(id, wrapped_dek, *columns) of each live case, in batches (erased ones hold nothing to convert)."""
    connection = op.get_bind()
    last = ''
    while True:
        rows = connection.execute(sa.text(
            f'SELECT id, wrapped_dek, {columns} FROM case_record WHERE erased_at IS NULL AND id > :last '
            'ORDER BY id LIMIT 500'), {'last': last}).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _seal_profiles():
    from app.crypto import envelope, rows
    from app.crypto.errors import RecordErased

    ring = _ring()
    if ring is None:
        return
    connection = op.get_bind()
    for row in list(_live_cases(', '.join(PROFILE))):
        case_id, wrapped = row[0], row[1]
        try:
            dek, new_wrapped = rows.case_data_key(ring, 'case_record', case_id, wrapped, case_id)
        except RecordErased:
            continue  # erased per the ledger (an older database restored): nothing to seal, nothing readable
        values = dict(zip(PROFILE, row[2:], strict=True))
        values['disability'] = bool(values['disability'])
        profile = _padded({name: DEFAULTS[name] if values[name] is None else values[name] for name in PROFILE})
        sealed = rows.seal_json(dek, 'case_record', 'profile', case_id, profile)
        if new_wrapped is None:
            connection.execute(sa.text('UPDATE case_record SET profile_enc = :p WHERE id = :id'),
                               {'p': sealed, 'id': case_id})
        else:
            connection.execute(sa.text('UPDATE case_record SET profile_enc = :p, wrapped_dek = :w, kek_version = :v '
                                       'WHERE id = :id'),
                               {'p': sealed, 'w': new_wrapped, 'v': envelope.STORE_WRAPPED, 'id': case_id})


def _counts_need_rebuild():
    """Forget the counts' loaded version: `setup` then counts every case into the new stat_tally."""
    op.get_bind().execute(sa.text("DELETE FROM reference_version WHERE name = 'stat_tally'"))


def _open_profiles():
    from app.crypto import rows
    from app.crypto.errors import RecordErased

    ring = _ring()
    if ring is None:
        return
    connection = op.get_bind()
    for case_id, wrapped, blob in list(_live_cases('profile_enc')):
        if blob is None:
            continue
        try:
            dek, _new = rows.case_data_key(ring, 'case_record', case_id, wrapped, case_id)
        except RecordErased:
            continue
        profile = rows.open_json(dek, 'case_record', 'profile', case_id, blob)
        values = {name: profile.get(name, DEFAULTS[name]) for name in PROFILE}
        connection.execute(sa.text('UPDATE case_record SET ' + ', '.join(f'{n} = :{n}' for n in PROFILE)
                                   + ' WHERE id = :id'), {**values, 'id': case_id})
