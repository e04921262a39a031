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
    assert {"alerts", "alert_history", "devices", "users", "test_windows"} <= set(
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
