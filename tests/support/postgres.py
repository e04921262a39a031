"""Which database engine the control-room tests run on, and a fresh database per test.

`BUTLER_TEST_DB=postgresql` runs them on a PostgreSQL server of the test run's own (started
on first use, stopped at exit); unset or `sqlite`, on a SQLite file in the test's temp dir.
On PostgreSQL each test gets its own database, copied (CREATE DATABASE ... TEMPLATE) from one
migrated to head once per run: whatever migrations exist, a copy is a few tens of ms where
migrating each database would be seconds.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from launcher.postgres import PostgresServer, start_postgres

ENGINES = ("sqlite", "postgresql")
TEMPLATE = "butler_head"

_server: PostgresServer | None = None
_names = itertools.count(1)


def engine() -> str:
    name = os.environ.get("BUTLER_TEST_DB", "sqlite").strip().lower() or "sqlite"
    if name in ("postgres", "pg"):
        name = "postgresql"
    if name not in ENGINES:
        raise ValueError(f"BUTLER_TEST_DB must be one of {', '.join(ENGINES)}, not {name!r}")
    return name


def server() -> PostgresServer:
    """The run's PostgreSQL server, with the migrated template database; started once."""
    global _server
    if _server is None:
        import psycopg

        from controlroom.core.db import make_engine
        from controlroom.migrations import migrate

        srv = start_postgres()
        with psycopg.connect(srv.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        head = make_engine(srv.url(TEMPLATE))
        migrate(head)
        head.dispose()  # a template must have no connections while it is copied
        _server = srv
    return _server


def fresh_postgres_url(prefix: str = "t") -> str:
    """A new database migrated to head, on the run's server."""
    import psycopg

    srv = server()
    name = f"{prefix}_{os.getpid()}_{next(_names)}"
    with psycopg.connect(srv.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY file_copy")
    return srv.url(name)


def empty_postgres_url(prefix: str = "e") -> str:
    """A new database with no tables at all (for the migration tests)."""
    import psycopg

    srv = server()
    name = f"{prefix}_{os.getpid()}_{next(_names)}"
    with psycopg.connect(srv.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    return srv.url(name)


def drop(url: str) -> None:
    """Drop a database made by `fresh_postgres_url` (its connections are ended)."""
    import psycopg

    if _server is None or not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_server.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_db_url(tmp: Path, name: str = "butler") -> str:
    """The control room's database for one test (or one module's process): a SQLite file in
    `tmp`, or a fresh PostgreSQL database, as BUTLER_TEST_DB says."""
    if engine() == "postgresql":
        return fresh_postgres_url()
    return f"sqlite:///{tmp}/{name}.db"


test_db_url.__test__ = False  # type: ignore[attr-defined]  # not a test
