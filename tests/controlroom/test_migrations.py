"""The schema comes from the Alembic migrations: from an empty database to head and back
down, the result matches the models, and a walking-skeleton database is taken over."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from controlroom.db import Base, make_engine
from controlroom.migrations import downgrade, migrate


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def test_empty_database_to_head_matches_the_models_and_back_down(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    migrate(engine)
    assert {"alerts", "alert_history", "devices", "users", "test_windows", "service_requests",
            "service_request_history", "resident_sessions", "resident_codes"} <= set(
        inspect(engine).get_table_names())
    assert _diff(engine) == []
    downgrade(engine)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate(engine)  # and up again
    assert _diff(engine) == []


def test_a_database_made_by_create_all_is_stamped_and_kept(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
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

    from controlroom import request_models  # noqa: F401  (its tables in create_all)
    from controlroom.migrations import config

    engine = make_engine(f"sqlite:///{tmp_path}/newer.db")
    Base.metadata.create_all(engine)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
            ScriptDirectory.from_config(config(engine)).get_current_head())
    assert _diff(engine) == []
