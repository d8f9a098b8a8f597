"""Migrations keep one head: a second head breaks `flask db migrate` and `setup`'s plain upgrade."""

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory


def test_there_is_exactly_one_alembic_head():
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}; chain your migration from the current head"
