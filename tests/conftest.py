"""Suite-wide settings for the processes the tests start, and the `db` mark: the tests that
use the control-room database, so `make test` can run them a second time on PostgreSQL
(`BUTLER_TEST_DB=postgresql pytest -m db`)."""

from __future__ import annotations

import os

import pytest

# Control-room processes started by tests hash every password and PIN at start-up: with the
# production argon2 cost that is seconds on a loaded machine, and the tests are not about it.
os.environ.setdefault("BUTLER_PASSWORD_HASH_COST", "low")

# Fixtures that give a test a control-room database (directly or through a process).
DB_FIXTURES = {"db_url", "client", "clocked_client", "service", "controlroom_process"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
