"""The guarded loop of every background sweep: a sweep that raises is logged and runs again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from config import Settings, load_site
from controlroom import app as app_module
from controlroom.app import create_app
from tests.controlroom.conftest import _passwords
from tests.utils import wait_until


def test_a_sweep_whose_first_run_hits_a_database_error_is_logged_and_runs_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The test-window sweep returns devices to service when their window ends: if one database
    # error ended it, every later window would stay on test (and silent) until a restart.
    monkeypatch.setattr(app_module, "TEST_SWEEP_S", 0.05)
    site = load_site()
    app = create_app(site, Settings(f"sqlite:///{tmp_path}/cr.db", site.mqtt_url,
                                    "http://testserver"), _passwords())
    runs: list[str] = []

    def flaky_expire() -> list[object]:
        runs.append("run")
        if len(runs) == 1:
            raise OperationalError("UPDATE test_windows", {}, Exception("database is locked"))
        return []

    caplog.set_level(logging.ERROR, logger="controlroom.jobs")
    with TestClient(app):
        app.state.test_mode.expire = flaky_expire
        wait_until("the sweep to run again after its failure", lambda: len(runs) >= 3,
                   timeout=30)
    failures = [r for r in caplog.records if r.name == "controlroom.jobs"]
    assert len(failures) == 1, [r.getMessage() for r in failures]
    assert "test-window sweep failed" in failures[0].getMessage()
    assert failures[0].exc_info is not None
    assert "database is locked" in str(failures[0].exc_info[1])


def test_a_woken_sweep_runs_at_once_not_at_its_next_interval() -> None:
    # The notification outbox: a commit that recorded a message wakes its sender, which
    # otherwise looks only every interval.
    import asyncio
    import time

    from controlroom.jobs import run_every

    async def main() -> tuple[float, int]:
        runs: list[float] = []
        wake = asyncio.Event()

        async def job() -> None:
            runs.append(time.monotonic())

        task = run_every(60.0, job, "woken", first_delay_s=0.0, wake=wake)
        while not runs:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        wake.set()
        while len(runs) < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        return runs[1] - started, len(runs)

    waited, n = asyncio.run(asyncio.wait_for(main(), 10))
    assert n == 2 and waited < 5  # woken, not after the 60-s interval
