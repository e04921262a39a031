"""The schema comes from the Alembic migrations: from an empty database to head and back
down, the result matches the models, and a walking-skeleton database is taken over — on
SQLite and on PostgreSQL (a server of the test run's own)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

import controlroom.tables  # noqa: F401  (every domain's tables on Base.metadata)
from controlroom.core.db import Base, make_engine
from controlroom.migrations import downgrade, migrate
from tests.support import postgres


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


@pytest.fixture(params=postgres.ENGINES)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (no tables at all), SQLite or PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/m.db")
        yield engine
        engine.dispose()
        return
    url = postgres.empty_postgres_url()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    postgres.drop(url)


def test_empty_database_to_head_matches_the_models_and_back_down(empty_engine: Engine
                                                                  ) -> None:
    engine = empty_engine
    assert inspect(engine).get_table_names() == []
    migrate(engine)
    assert {"alerts", "alert_history", "devices", "users", "test_windows", "service_requests",
            "service_request_history", "resident_sessions", "resident_codes"} <= set(
        inspect(engine).get_table_names())
    assert _diff(engine) == []
    downgrade(engine)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate(engine)  # and up again
    assert _diff(engine) == []


def test_a_database_made_by_create_all_is_stamped_and_kept(empty_engine: Engine) -> None:
    engine = empty_engine
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO settings (key, value) VALUES ('token_key', 'k')")
    migrate(engine)
    assert "alembic_version" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT value FROM settings").scalar() == "k"
    assert _diff(engine) == []


def test_a_create_all_database_that_already_has_the_request_tables_is_kept(tmp_path: Path
                                                                          ) -> None:
    from alembic.script import ScriptDirectory

    from controlroom.migrations import config

    engine = make_engine(f"sqlite:///{tmp_path}/newer.db")
    Base.metadata.create_all(engine)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
            ScriptDirectory.from_config(config(engine)).get_current_head())
    assert _diff(engine) == []
