"""Marks the tests that use the control-room database, so `make test` can run them a second
time on PostgreSQL (`BUTLER_TEST_DB=postgresql pytest -m db`)."""

from __future__ import annotations

import pytest

# Fixtures that give a test a control-room database (directly or through a process).
DB_FIXTURES = {"db_url", "client", "clocked_client", "service", "controlroom_process"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
