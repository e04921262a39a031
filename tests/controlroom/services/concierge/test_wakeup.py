"""Wake-up calls on a hand clock: the desk is told when a call is due; two unanswered calls
send a butler to the door; an answered call ends it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from controlroom.services.concierge.wakeup import RETRY, CallState, decide
from tests.controlroom.conftest import Clock, RecordingNotifier
from tests.utils import auth

DESK = ("frontdesk", "frontdesk123")
AT = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)  # 06:30 in Shanghai, the next morning


def test_the_rule_calls_at_the_time_again_after_the_retry_then_sends_the_butler() -> None:
    assert decide(CallState(AT, "scheduled", 0, None), AT - timedelta(seconds=1)) == "wait"
    assert decide(CallState(AT, "scheduled", 0, None), AT) == "call"
    once = CallState(AT, "scheduled", 1, AT)
    assert decide(once, AT + RETRY - timedelta(seconds=1)) == "wait"
    assert decide(once, AT + RETRY) == "call"
    assert decide(CallState(AT, "scheduled", 2, AT + RETRY), AT + RETRY) == "send_butler"
    assert decide(CallState(AT, "answered", 1, AT), AT + RETRY) == "wait"


@pytest.fixture
def wake(clocked_client: TestClient, clock: Clock) -> tuple[TestClient, dict[str, str], int]:
    desk = auth(clocked_client, *DESK)
    r = clocked_client.post("/api/wakeups", headers=desk,
                            json={"unit": "1-2-1502", "at": AT.isoformat(), "note": "早班机"})
    assert r.status_code == 201, r.text
    return clocked_client, desk, r.json()["id"]


def test_two_unanswered_calls_send_the_butler(
        wake: tuple[TestClient, dict[str, str], int], clock: Clock,
        notifier: RecordingNotifier) -> None:
    client, desk, cid = wake
    sweep = client.app.state.wakeups.sweep  # type: ignore[attr-defined]
    clock.at = AT - timedelta(minutes=1)
    sweep()
    assert not [n for n in notifier.sent if "wake-up" in n[1]]
    early = client.post(f"/api/wakeups/{cid}/attempts", headers=desk, json={"answered": False})
    assert early.status_code == 409 and early.json()["code"] == "not_due"

    clock.at = AT
    sweep()
    sweep()  # told once per call, not on every sweep
    due = [n for n in notifier.sent if n[0] == "frontdesk"]
    assert len(due) == 1 and "1-2-1502" in due[0][1]
    first = client.post(f"/api/wakeups/{cid}/attempts", headers=desk, json={"answered": False})
    assert first.json()["attempts"] == 1 and first.json()["state"] == "scheduled"

    clock.advance(minutes=4)
    sweep()
    assert len(calls_due(notifier)) == 1
    clock.advance(minutes=1)
    sweep()
    assert len(calls_due(notifier)) == 2
    assert not sent_to_the_door(notifier)
    second = client.post(f"/api/wakeups/{cid}/attempts", headers=desk, json={"answered": False})
    assert second.json()["state"] == "butler_sent" and second.json()["attempts"] == 2
    (butler,) = sent_to_the_door(notifier)
    assert "1-2-1502" in butler[1]
    assert client.get("/api/wakeups", headers=desk).json()["data"] == []
    third = client.post(f"/api/wakeups/{cid}/attempts", headers=desk, json={"answered": False})
    assert third.status_code == 409


def calls_due(notifier: RecordingNotifier) -> list[tuple[str, str, str]]:
    """The desk told that a call is due (butlers are the front desk's role)."""
    return [n for n in notifier.sent if n[0] == "frontdesk" and "unanswered" not in n[1]]


def sent_to_the_door(notifier: RecordingNotifier) -> list[tuple[str, str, str]]:
    return [n for n in notifier.sent if n[0] == "frontdesk" and "unanswered" in n[1]]


def test_an_answered_second_call_sends_no_one(
        wake: tuple[TestClient, dict[str, str], int], clock: Clock,
        notifier: RecordingNotifier) -> None:
    client, desk, cid = wake
    clock.at = AT
    client.post(f"/api/wakeups/{cid}/attempts", headers=desk, json={"answered": False})
    clock.advance(minutes=6)
    r = client.post(f"/api/wakeups/{cid}/attempts", headers=desk, json={"answered": True})
    assert r.json()["state"] == "answered"
    client.app.state.wakeups.sweep()  # type: ignore[attr-defined]
    assert not sent_to_the_door(notifier)


def test_a_wakeup_in_the_past_or_for_no_flat_is_refused(clocked_client: TestClient,
                                                        clock: Clock) -> None:
    desk = auth(clocked_client, *DESK)
    past = clocked_client.post("/api/wakeups", headers=desk, json={
        "unit": "1-2-1502", "at": (clock.at - timedelta(minutes=1)).isoformat()})
    assert past.status_code == 422 and "at" in past.json()["detail"]
    nowhere = clocked_client.post("/api/wakeups", headers=desk, json={
        "unit": "9-9-9999", "at": AT.isoformat()})
    assert nowhere.status_code == 422 and nowhere.json()["code"] == "unknown_unit"
