"""Acceptance 1 of issue 14 (ARCHITECTURE §10): an unacknowledged gas alarm reaches the
supervisor's email at 30 s and the supervisor's and the manager's webhooks at 60 s, through
apprise to an SMTP server and an HTTP server this test starts; an alarm acknowledged at 20 s
sends nothing at all. The control room runs on a hand clock: its escalation sweep and its
outbox job run for real, the 30 and 60 seconds are the clock's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from config import Settings, load_site
from controlroom.app import create_app
from tests.controlroom.conftest import Clock, _passwords, signal
from tests.support.receivers import HttpReceiver, SmtpReceiver, http_receiver, smtp_receiver
from tests.utils import auth, wait_until


@pytest.fixture
def estate(db_url: str, clock: Clock) -> Iterator[tuple[TestClient, SmtpReceiver, HttpReceiver]]:
    with smtp_receiver() as smtp, http_receiver() as hooks:
        hook = hooks.url.replace("http://", "json://")
        site = load_site()
        settings = replace(
            Settings(db_url, site.mqtt_url, "http://testserver"),
            notify_roles=(("supervisor", (smtp.mailto("supervisor@estate.test"),
                                          f"{hook}/supervisor")),
                          ("manager", (f"{hook}/manager",))))
        with TestClient(create_app(site, settings, _passwords(), clock=clock)) as c:
            yield c, smtp, hooks


def _raise(c: TestClient, device: str) -> int:
    gw = auth(c, "gateway", "gateway123")
    r = c.post("/api/gateway/signals", headers=gw, json=signal(device, "gas_alarm"))
    return int(r.json()["alert"]["id"])


def _subjects(smtp: SmtpReceiver) -> list[str]:
    return [str(m["Subject"]) for m in smtp.received()]


def test_an_unacknowledged_gas_alarm_reaches_email_at_30_s_and_webhooks_at_60_s(
        estate: tuple[TestClient, SmtpReceiver, HttpReceiver], clock: Clock) -> None:
    c, smtp, hooks = estate
    alert = _raise(c, "gas-1-2-1502")
    clock.advance(seconds=29)
    clock.advance(seconds=1)  # 30 s
    first = f"Escalation 1: gas_alarm at 1-2-1502 (alert {alert})"
    wait_until("the supervisor's email at 30 s", lambda: _subjects(smtp) == [first], 15)
    assert hooks.at("/manager") == []  # the manager is not told at 30 s
    clock.advance(seconds=30)  # 60 s
    second = f"Escalation 2: gas_alarm at 1-2-1502 (alert {alert})"
    wait_until("the supervisor's and the manager's webhooks at 60 s",
               lambda: [p.body["title"] for p in hooks.at("/supervisor")] == [first, second]
               and [p.body["title"] for p in hooks.at("/manager")] == [second], 15)
    wait_until("the supervisor's second email", lambda: _subjects(smtp) == [first, second], 15)
    manager = hooks.at("/manager")[0]
    assert manager.headers["X-Notification-Id"] == manager.body["id"]  # the receiver's key
    assert f"ref {manager.body['id']}" in manager.body["message"]
    # Every one of them recorded as sent, after one attempt each.
    op = auth(c, "operator", "operator123")
    rows = c.get("/api/notifications", headers=op,
                 params={"kind": "escalation"}).json()["data"]
    assert sorted((n["recipient"], n["state"], n["attempts"]) for n in rows) == [
        ("manager", "sent", 1), ("supervisor", "sent", 1), ("supervisor", "sent", 1)]
    clock.advance(seconds=600)  # two levels, no more
    c.app.state.alerts.escalate_due(clock())  # type: ignore[attr-defined]
    assert len(c.get("/api/notifications", headers=op).json()["data"]) == 3


def test_an_alarm_acknowledged_at_20_s_sends_no_escalation_at_all(
        estate: tuple[TestClient, SmtpReceiver, HttpReceiver], clock: Clock) -> None:
    c, smtp, hooks = estate
    alert = _raise(c, "gas-2-1-0101")
    clock.advance(seconds=20)
    op = auth(c, "operator", "operator123")
    assert c.post(f"/api/alerts/{alert}/ack", headers=op, json={}).status_code == 200
    clock.advance(seconds=100)
    # The sweep itself, run now rather than waited for: nothing is due.
    assert c.app.state.alerts.escalate_due(clock()) == []  # type: ignore[attr-defined]
    # A second alarm left alone in the same app does reach people: the channels work.
    other = _raise(c, "gas-1-1-0301")
    clock.advance(seconds=30)
    wait_until("the other alarm's escalation", lambda: len(smtp.received()) == 1, 15)
    assert all(f"alert {alert})" not in s for s in _subjects(smtp))
    assert all(f"alert {alert})" not in p.body["title"] for p in hooks.posts)
    assert _subjects(smtp) == [f"Escalation 1: gas_alarm at 1-1-0301 (alert {other})"]
    rows = c.get("/api/notifications", headers=op).json()["data"]
    # One message to the supervisor role (its email and its webhook), none about the first.
    assert [(n["about"], n["recipient"]) for n in rows] == [(f"alert:{other}", "supervisor")]
