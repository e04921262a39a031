"""Staff sign-in is throttled per account and per address (issue 19, acceptance 4): repeated
wrong passwords from one address lock that account from that address (429 with Retry-After);
the right password from another address still signs in, so a guesser cannot lock the real user
out; only failures count, and a success forgets them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from config import Settings, load_site
from controlroom.app import create_app
from controlroom.core.accounts import LOGIN_FAILURES, LOGIN_LOCK_S
from controlroom.core.models import AuditEntry
from tests.controlroom.conftest import Clock, _passwords
from tests.support.browser import ARTIFACTS, CHROMIUM, open_page, sign_in
from tests.support.stack import Stack

ATTACKER = ("10.0.0.66", 50000)
OFFICE = ("10.0.0.2", 50000)


@pytest.fixture
def app(db_url: str, clock: Clock) -> Iterator[FastAPI]:
    site = load_site()
    app = create_app(site, Settings(db_url, site.mqtt_url, "http://testserver"), _passwords(),
                     clock=clock)
    with TestClient(app):  # runs start-up (accounts synced) once for every client below
        yield app


def _login(client: TestClient, password: str, user: str = "operator") -> httpx.Response:
    return client.post("/api/auth/token", data={"username": user, "password": password})


def test_twenty_wrong_passwords_get_429_and_the_right_one_from_another_address_works(
        app: FastAPI, clock: Clock) -> None:
    attacker = TestClient(app, client=ATTACKER)
    office = TestClient(app, client=OFFICE)
    answers = [_login(attacker, f"guess{i}") for i in range(20)]
    codes = [r.status_code for r in answers]
    assert codes == [401] * (LOGIN_FAILURES - 1) + [429] * (21 - LOGIN_FAILURES)
    last = answers[-1]
    assert int(last.headers["Retry-After"]) == LOGIN_LOCK_S
    body = last.json()
    assert (body["code"], body["retry_after_s"]) == ("locked", LOGIN_LOCK_S)
    assert "try again in 900 s" in body["detail"]

    # The right password from the guesser's address is refused while locked, unchecked ...
    assert _login(attacker, "operator123").status_code == 429
    # ... and from the office it signs in: the guesser did not lock the operator out.
    ok = _login(office, "operator123")
    assert ok.status_code == 200, ok.text
    assert ok.json()["role"] == "operator"
    # Another account from the guesser's address is not locked either.
    assert _login(attacker, "supervisor123", user="supervisor").status_code == 200

    # Time passes: the lock ends, and Retry-After counted down to it.
    clock.advance(seconds=LOGIN_LOCK_S - 60)
    assert _login(attacker, "operator123").headers["Retry-After"] == "60"
    clock.advance(seconds=60)
    assert _login(attacker, "operator123").status_code == 200

    with app.state.sessions() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.actor == "operator")).all()
    failed = [r for r in rows if r.action == "login_failed"]
    locked = [r for r in rows if r.action == "login_locked"]
    assert len(failed) == LOGIN_FAILURES  # the guesses after the lock were never checked
    assert {r.detail for r in failed} == {"from 10.0.0.66"}
    # The lock itself, the 10 guesses refused during it, and the right password refused twice.
    assert len(locked) == 1 + (20 - LOGIN_FAILURES) + 2
    assert locked[0].detail == f"from 10.0.0.66: {LOGIN_FAILURES} wrong passwords"
    assert next(r.detail for r in rows if r.action == "login") == "from 10.0.0.2"


def test_only_failures_count_and_a_success_forgets_them(app: FastAPI) -> None:
    desk = TestClient(app, client=OFFICE)
    for _ in range(3):
        assert [_login(desk, "typo").status_code for _ in range(LOGIN_FAILURES - 1)] == [401] * (
            LOGIN_FAILURES - 1)
        assert _login(desk, "operator123").status_code == 200
    # Many sign-ins in a row (as the tests and a busy desk do) are never throttled.
    assert {_login(desk, "operator123").status_code for _ in range(30)} == {200}


def test_guesses_at_names_that_do_not_exist_share_one_count(app: FastAPI) -> None:
    attacker = TestClient(app, client=ATTACKER)
    codes = [_login(attacker, "x", user=f"nobody{i}").status_code for i in range(LOGIN_FAILURES)]
    assert codes == [401] * (LOGIN_FAILURES - 1) + [429]
    assert _login(attacker, "operator123").status_code == 200  # a real account is its own


def test_a_real_server_uses_the_connection_address_not_x_forwarded_for(
        controlroom_process: Stack) -> None:
    """Through uvicorn as `python -m controlroom` runs it: the guesser cannot spread guesses
    over made-up addresses, nor claim the office's address, with X-Forwarded-For."""
    url = f"{controlroom_process.api_url}/api/auth/token"
    guesser = httpx.Client(timeout=30)  # from 127.0.0.1
    office = httpx.Client(timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    try:
        codes = [guesser.post(url, data={"username": "maintenance", "password": f"g{i}"},
                              headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                 for i in range(20)]
        assert codes == [401] * (LOGIN_FAILURES - 1) + [429] * (21 - LOGIN_FAILURES)
        spoofed = guesser.post(url, data={"username": "maintenance",
                                          "password": "maintenance123"},
                               headers={"X-Forwarded-For": "127.0.0.2"})
        assert spoofed.status_code == 429 and spoofed.headers["Retry-After"]
        real = office.post(url, data={"username": "maintenance", "password": "maintenance123"})
        assert real.status_code == 200, real.text
    finally:
        guesser.close()
        office.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}")
def test_the_console_says_a_locked_sign_in_in_its_language(controlroom_process: Stack,
                                                           browser: Any) -> None:
    """The console signs in from 127.0.0.1 too: after ten wrong passwords for butler2 from
    here, the right one gets the lock in words, not an English error."""
    from playwright.sync_api import expect

    url = controlroom_process.api_url
    for i in range(LOGIN_FAILURES):
        httpx.post(f"{url}/api/auth/token", data={"username": "butler2", "password": f"x{i}"},
                   timeout=30)
    with open_page(browser, url) as page:
        sign_in(page, "butler2", "butler2123")
        error = page.get_by_test_id("login-error")
        expect(error).to_have_text(
            "密码错误次数过多：此账号在这台电脑上暂停登录，请 15 分钟后再试，或联系管理员。")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "login-locked-zh.png"))
        page.get_by_test_id("lang-toggle").click()
        expect(error).to_contain_text("Too many wrong passwords")
