"""Suite-wide settings: the processes the tests start, the `db` mark (the tests that use the
control-room database, so `make test` can run them a second time on PostgreSQL:
`BUTLER_TEST_DB=postgresql pytest -m db`), and the Hypothesis profiles (`default` is bounded
so the property tests fit inside `make test` on a loaded 2-CPU machine: no deadline;
HYPOTHESIS_PROFILE=thorough searches far longer)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Control-room processes started by tests hash every password and PIN at start-up: with the
# production argon2 cost that is seconds on a loaded machine, and the tests are not about it.
os.environ.setdefault("BUTLER_PASSWORD_HASH_COST", "low")
# The programs the tests start run the demo site file, with its demo passwords: demo mode
# (production is the default; tests of production mode set BUTLER_DEMO=0 themselves).
os.environ.setdefault("BUTLER_DEMO", "1")

settings.register_profile("default", max_examples=150, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Fixtures that give a test a control-room database (directly or through a process).
DB_FIXTURES = {"db_url", "client", "clocked_client", "service", "controlroom_process"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
