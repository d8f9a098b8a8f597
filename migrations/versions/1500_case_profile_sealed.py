"""case profile sealed, statistics from counts: sex, age band, ethnic group, disability, poverty and village move
from plaintext columns of case_record into the sealed profile; the reports read stat_tally

Revision ID: 1500_case_profile_sealed
Revises: 1201_registry_support
Create Date: 2026-12-07 08:15:00

The data step seals each live case's profile under its case key (the key ring of the app running the
migration) and counts every case into stat_tally (app/cases/tally.py, rebuild). It runs the app's session on
the migration's own connection, so it is one transaction with the schema change. Downgrade opens the profiles
and writes the plaintext columns back.
"""
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
    _with_app_session(_seal_profiles)
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
    _with_app_session(_open_profiles)
    with op.batch_alter_table('case_record') as batch_op:
        for name in PROFILE[:-1]:
            batch_op.alter_column(name, server_default=None)
        batch_op.drop_column('tally_keys_enc')
        batch_op.drop_column('profile_enc')
    op.drop_index(op.f('ix_stat_tally_unit_id'), table_name='stat_tally')
    op.drop_table('stat_tally')


def _with_app_session(work):
    """Run `work(session, connection)` with the app's scoped session bound to the migration's connection."""
    connection = op.get_bind()
    if not connection.execute(sa.text('SELECT 1 FROM case_record LIMIT 1')).first():
        return  # a new database: nothing to carry across (and no key ring needed)
    from app.extensions import db

    session = sa.orm.Session(bind=connection)
    previous = db.session.registry() if db.session.registry.has() else None
    db.session.registry.set(session)
    try:
        work(session, connection)
        session.flush()
    finally:
        session.close()
        if previous is not None:
            db.session.registry.set(previous)
        else:
            db.session.registry.clear()


def _seal_profiles(session, connection):
    from app.cases import tally
    from app.cases.models import PROFILE_DEFAULTS, Case, padded

    columns = ', '.join(PROFILE)
    rows = connection.execute(sa.text(f'SELECT id, {columns} FROM case_record WHERE erased_at IS NULL')).all()
    for start in range(0, len(rows), 500):
        chunk = {row[0]: row for row in rows[start:start + 500]}
        for case in session.scalars(sa.select(Case).where(Case.id.in_(list(chunk)))):
            values = dict(zip(PROFILE, chunk[case.id][1:], strict=True))
            values['disability'] = bool(values['disability'])
            case.profile = padded({name: values[name] if values[name] is not None else PROFILE_DEFAULTS[name]
                                   for name in PROFILE})
        session.flush()
    tally.rebuild()


def _open_profiles(session, connection):
    from app.cases.models import Case

    for case in session.scalars(sa.select(Case).where(Case.erased_at.is_(None))):
        values = {name: getattr(case, name) for name in PROFILE}
        connection.execute(sa.text('UPDATE case_record SET ' + ', '.join(f'{n} = :{n}' for n in PROFILE)
                                   + ' WHERE id = :id'), {**values, 'id': case.id})
