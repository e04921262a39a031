"""Wrong guesses are counted in the database (controlroom/core/shared_lockout.py): two
control-room replicas on one database, a guesser alternating between them, is locked out after
the same number of guesses as against one. Before, each process counted its own, so two
replicas behind nginx (deploy/nginx/butler.conf) gave twice the tries. On SQLite and on
PostgreSQL (the `db` mark)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from itertools import cycle

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from config import Settings, load_site
from controlroom.app import create_app
from controlroom.core.accounts import LOGIN_FAILURES
from controlroom.core.models import LockoutCount
from controlroom.core.shared_lockout import SharedLockout
from controlroom.services.residents.sessions import PIN_FAILURES
from tests.controlroom.conftest import Clock, _passwords

GUESSER = ("10.0.0.66", 50000)


@pytest.fixture
def replicas(db_url: str, clock: Clock) -> Iterator[list[TestClient]]:
    site = load_site()
    with ExitStack() as stack:
        clients = []
        for _ in range(2):
            app = create_app(site, Settings(db_url, site.mqtt_url, "http://testserver",
                                            demo=True), _passwords(), clock=clock)
            clients.append(stack.enter_context(TestClient(app, client=GUESSER)))
        yield clients


def _login(client: TestClient, password: str) -> httpx.Response:
    return client.post("/api/auth/token", data={"username": "operator", "password": password})


def test_staff_guesses_spread_over_two_replicas_lock_after_the_same_count(
        replicas: list[TestClient]) -> None:
    turns = cycle(replicas)
    codes = [_login(next(turns), f"guess{i}").status_code for i in range(LOGIN_FAILURES + 2)]
    assert codes == [401] * (LOGIN_FAILURES - 1) + [429] * 3
    # Locked on both: the right password is refused from this address by either replica.
    assert {_login(r, "operator123").status_code for r in replicas} == {429}


def test_kiosk_pin_guesses_spread_over_two_replicas_lock_the_flat(
        replicas: list[TestClient]) -> None:
    tokens = [r.post("/api/auth/token", data={"username": "kiosk-1",
                                                "password": "kiosk1-secret"}).json()
              for r in replicas]
    turns = cycle(zip(replicas, tokens, strict=True))

    def pin(pin: str) -> httpx.Response:
        client, tok = next(turns)
        return client.post("/api/kiosk/session", json={"method": "pin", "unit": "1-2-1502",
                                                       "pin": pin},
                           headers={"Authorization": f"Bearer {tok['access_token']}"})

    answers = [pin(f"00000{i}") for i in range(PIN_FAILURES)]
    assert [a.status_code for a in answers] == [401] * (PIN_FAILURES - 1) + [429]
    assert [a.json().get("attempts_left") for a in answers[:-1]] == list(
        range(PIN_FAILURES - 1, 0, -1))
    assert {pin("246810").status_code for _ in replicas} == {429}


def test_a_success_forgets_and_old_counts_are_swept(db_url: str, clock: Clock) -> None:
    site = load_site()
    app = create_app(site, Settings(db_url, site.mqtt_url, "http://testserver", demo=True),
                     _passwords(), clock=clock)
    with TestClient(app):
        rule = SharedLockout(app.state.sessions, max_failures=3, window_s=60, lock_s=60)
        for t in (0.0, 1.0):
            rule.fail(("pin", "k", "A"), t)
        rule.fail(("pin", "k", "B"), 2.0)
        assert rule.check(("pin", "k", "A"), 3.0).attempts_left == 1
        rule.succeed(("pin", "k", "A"))
        assert rule.check(("pin", "k", "A"), 3.0).attempts_left == 3
        assert rule.check(("pin", "k", "B"), 3.0).attempts_left == 2
        # B untouched for longer than the window and the lock: gone at the next write.
        rule.fail(("pin", "k", "C"), 200.0)
        assert rule.check(("pin", "k", "B"), 200.0).attempts_left == 3
        with app.state.sessions() as s:
            assert s.scalar(select(func.count()).select_from(LockoutCount)) == 1
