"""Alembic migrations of the control room's schema. `migrate(engine)` brings any database to
head: an empty one is built by the migrations, and one made by the walking skeleton's
`create_all` (no alembic_version table, but our tables present) is stamped as the first
revision and then upgraded."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

HERE = Path(__file__).parent
FIRST = "0001"


def config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    cfg = config(engine)
    tables = set(inspect(engine).get_table_names())
    if "alembic_version" not in tables and "alerts" in tables:
        command.stamp(cfg, FIRST)
    command.upgrade(cfg, "head")


def downgrade(engine: Engine, to: str = "base") -> None:
    command.downgrade(config(engine), to)
