"""Flask extensions, created unbound and bound to the app in create_app()."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from . import clock

# Stable constraint names, so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Now, aware UTC: an alias of Việt Nam's clock (app/clock.py), kept because models use it as a column default.
utcnow = clock.now


def new_uuid() -> str:
    """A random id for URLs: never sequential, never guessable."""
    return str(uuid.uuid4())


db = SQLAlchemy(model_class=Base)
# The declarative base of every model. Flask-SQLAlchemy builds db.Model at run time, which a type checker cannot
# follow; to it, Model is the DeclarativeBase that db.Model extends.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@contextmanager
def transaction() -> Iterator[None]:
    """A command's unit of work (CLI commands, seeders, key rotation): commit when the block ends, roll back
    when it raises. Web requests never use it: app/web/unit_of_work.py commits them, once per request."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
