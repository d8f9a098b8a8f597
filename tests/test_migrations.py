"""Every schema change is a migration: the database that `setup`'s migrations build is exactly what the models
describe (tables, columns, types, indexes, constraints), on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_the_migrated_database_matches_the_models(app):
    with app.app_context():
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert differences == [], "models and migrations differ (write a migration):\n" + \
        "\n".join(str(d) for d in differences)
