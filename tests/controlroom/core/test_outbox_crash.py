"""Acceptance 3 of issue 14: the control room SIGKILLed between recording notifications and
sending them (one in flight at the SMS gateway, the rest still queued) sends every one after
it restarts, and the receiver, counting by `id` as ARCHITECTURE §10 tells it to, gets each
exactly once."""

from __future__ import annotations

import signal

import httpx

from tests.support.receivers import http_receiver
from tests.support.stack import Stack
from tests.utils import wait_until


def _notifications(stack: Stack) -> list[dict[str, object]]:
    token = stack.token("supervisor", "supervisor123")
    r = httpx.get(f"{stack.api_url}/api/notifications", timeout=10,
                  headers={"Authorization": f"Bearer {token}"})
    r.raise_for_status()
    return list(r.json()["data"])


def test_a_control_room_killed_mid_send_sends_every_notification_exactly_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with http_receiver() as sms:
        stack = Stack(tmp_path)
        stack.group.env["BUTLER_SMS_URL"] = f"{sms.url}/sms"
        try:
            sms.hold.clear()  # the gateway takes the first message and does not answer yet
            stack.start_controlroom()
            desk = stack.token("frontdesk", "frontdesk123")
            for unit in ("1-2-1502", "2-1-0304", "1-1-0301"):  # 2-1-0304 has two phones
                r = httpx.post(f"{stack.api_url}/api/items", timeout=10,
                               json={"unit": unit, "location": "A-01"},
                               headers={"Authorization": f"Bearer {desk}"})
                assert r.status_code == 201, r.text
            wait_until("one message in flight at the gateway", lambda: sms.held == 1, 30)
            recorded = {str(n["id"]) for n in _notifications(stack)}
            assert len(recorded) == 4
            assert sms.posts == []  # nothing answered yet: recorded, not sent

            stack.stop("controlroom", signal.SIGKILL)
            sms.hold.set()  # the message in flight reaches the gateway after the crash
            wait_until("the in-flight message answered", lambda: sms.held == 0, 30)
            stack.start_controlroom()

            wait_until("every notification sent after the restart",
                       lambda: all(n["state"] == "sent" for n in _notifications(stack)), 90)
            counts = sms.by_id("/sms")
            # The receiver, dropping a repeated id, has each notification exactly once...
            assert {p.id for p in sms.unique("/sms")} == recorded
            # ...and only the one in flight at the kill can have come twice (same id).
            assert sum(counts.values()) - len(recorded) <= 1, counts
            assert all(n["attempts"] in (1, 2) for n in _notifications(stack))
        finally:
            stack.group.stop_all()
