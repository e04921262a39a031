"""Acceptance 6 of issue 14 (ARCHITECTURE §10 table), each through the real outbox to a real
HTTP server the test starts (the SMS gateway and the staff roles' JSON webhooks): the 14-day
reminder and the final notice (hand clock), the overdue-request message, and the offline
summary (100 devices silenced → one message to maintenance)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from config import Settings, load_site
from controlroom.app import create_app
from tests.controlroom.conftest import Clock, _passwords, signal
from tests.support.receivers import HttpReceiver, http_receiver
from tests.utils import auth, wait_until


@pytest.fixture
def estate(db_url: str, clock: Clock) -> Iterator[tuple[TestClient, HttpReceiver]]:
    with http_receiver() as rx:
        hook = rx.url.replace("http://", "json://")
        site = load_site()
        settings = replace(Settings(db_url, site.mqtt_url, "http://testserver"),
                           sms_url=f"{rx.url}/sms",
                           notify_roles=(("supervisor", (f"{hook}/supervisor",)),
                                         ("maintenance", (f"{hook}/maintenance",))))
        with TestClient(create_app(site, settings, _passwords(), clock=clock)) as c:
            yield c, rx


def _texts(rx: HttpReceiver, kind: str) -> list[str]:
    return [p.body["text"] for p in rx.unique("/sms") if p.body["kind"] == kind]


def test_the_14_day_reminder_and_the_final_notice_reach_the_flat(
        estate: tuple[TestClient, HttpReceiver], clock: Clock) -> None:
    c, rx = estate
    desk = auth(c, "frontdesk", "frontdesk123")
    r = c.post("/api/items", headers=desk, json={"unit": "1-2-1502", "kind": "parcel",
                                                 "pieces": 1, "location": "B-07"})
    serial = r.json()["item"]["serial"]
    wait_until("the arrival SMS", lambda: _texts(rx, "held_item"), 15)

    def run() -> list[dict[str, str]]:
        return list(c.post("/api/items/reminders/run", headers=desk).json()["sent"])

    clock.advance(days=14)
    assert run() == [{"notice": "reminder", "ref": serial}]
    [reminder] = wait_until("the 14-day reminder", lambda: _texts(rx, "held_item_reminder"), 15)
    assert serial in reminder and "14 天" in reminder  # the resident reads Chinese
    clock.advance(days=14)
    assert run() == [{"notice": "final_notice", "ref": serial}]
    [final] = wait_until("the final notice", lambda: _texts(rx, "held_item_final_notice"), 15)
    assert serial in final and "48 小时" in final
    clock.advance(days=2)  # day 30: the supervisor is told, not the resident
    assert run() == [{"notice": "supervisor_report", "ref": serial}]
    [report] = wait_until("the supervisor's report", lambda: rx.at("/supervisor"), 15)
    assert serial in report.body["title"] and report.body["title"].startswith("Uncollected")
    assert [p.body["to"] for p in rx.unique("/sms")] == ["139-0000-1502"] * 3


def test_an_overdue_request_reaches_the_supervisor(
        estate: tuple[TestClient, HttpReceiver], clock: Clock) -> None:
    c, rx = estate
    butler = auth(c, "butler1", "butler1123")
    r = c.post("/api/requests", headers=butler, json={"unit": "1-2-1502", "type": "repair",
                                                      "category": "taps"})
    number = r.json()["number"]
    clock.advance(minutes=10, seconds=1)  # the 10-minute answer promise ran out
    [msg] = wait_until("the overdue message", lambda: rx.at("/supervisor"), 15)
    assert msg.body["title"].startswith(f"Overdue service request {number} (1-2-1502)")
    op = auth(c, "supervisor", "supervisor123")
    [row] = c.get("/api/notifications", headers=op,
                  params={"kind": "request_overdue"}).json()["data"]
    assert (row["recipient"], row["state"], row["id"]) == ("supervisor", "sent", msg.id)


def test_a_hundred_silent_devices_are_one_message_to_maintenance(
        estate: tuple[TestClient, HttpReceiver], clock: Clock) -> None:
    c, rx = estate
    gw = auth(c, "gateway", "gateway123")
    devices = sorted(c.app.state.site.devices)[:100]  # type: ignore[attr-defined]
    assert len(devices) == 100
    for d in devices:
        r = c.post("/api/gateway/signals", headers=gw,
                   json=signal(d, "device_offline", priority=2))
        assert r.status_code in (200, 201), r.text
    clock.advance(seconds=1)
    alerts = c.app.state.alerts  # type: ignore[attr-defined]
    assert alerts.summarize_offline(clock()) == 100
    [msg] = wait_until("the summary", lambda: rx.at("/maintenance"), 15)
    assert msg.body["title"].startswith("100 device(s) offline")
    assert devices[0] in msg.body["message"] and "and 70 more" in msg.body["message"]
    clock.advance(seconds=60)
    assert alerts.summarize_offline(clock()) == 0  # nothing new: no second message
    r = c.post("/api/gateway/signals", headers=gw,
               json=signal(sorted(c.app.state.site.devices)[100], "device_offline",  # type: ignore[attr-defined]
                           priority=2))
    clock.advance(seconds=1)
    assert alerts.summarize_offline(clock()) == 1
    wait_until("the next summary", lambda: len(rx.at("/maintenance")) == 2, 15)
    assert rx.at("/sms") == [] and rx.at("/supervisor") == []
