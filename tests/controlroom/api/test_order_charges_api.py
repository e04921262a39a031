"""A paid order billed to the flat (issue 16): a fixed-price item ordered at the kiosk is a
pending charge under the flat's fees (not in the balance), billed when the butler completes
the work (in the balance, due later), void when cancelled; a payment clears it; every change is
in the audit log. A quote-priced item gets no charge."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config import Settings, load_site
from controlroom.app import create_app
from controlroom.services.fees.charges import CHARGE_DUE_DAYS
from tests.controlroom.conftest import Clock, RecordingNotifier, RecordingResidents, _passwords
from tests.utils import auth

UNIT = "1-2-1502"


class Room:
    def __init__(self, client: TestClient, clock: Clock) -> None:
        self.c = client
        self.clock = clock
        self.kiosk = auth(client, "kiosk-1", "kiosk1-secret")
        self.butler = auth(client, "butler1", "butler1123")
        self.desk = auth(client, "frontdesk", "frontdesk123")

    @property
    def me(self) -> dict[str, str]:
        """The resident logged in at kiosk-1 now (the hand clock outruns a session's idle)."""
        r = self.c.post("/api/kiosk/session", headers=self.kiosk,
                        json={"method": "pin", "unit": UNIT, "pin": "246810"})
        assert r.status_code == 201, r.text
        return {**self.kiosk, "X-Resident-Session": r.json()["session"]}

    def order(self, item: str) -> dict:
        r = self.c.post("/api/kiosk/requests", headers=self.me,
                        json={"type": "service_order", "item": item})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def step(self, rid: int, path: str, body: dict | None = None) -> None:
        r = self.c.post(f"/api/requests/{rid}/{path}", headers=self.butler, json=body or {})
        assert r.status_code == 200, r.text

    def fees(self) -> dict:
        r = self.c.get("/api/kiosk/fees", headers=self.me)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def charge(self, number: str) -> dict:
        return next(c for c in self.fees()["order_charges"] if c["request_number"] == number)

    def audit(self, action: str) -> list[dict]:
        return list(self.c.get("/api/audit", headers=auth(self.c, "admin", "admin123"),
                               params={"action": action}).json()["data"])


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    site = load_site()
    settings = Settings(f"sqlite:///{tmp_path}/cr.db", site.mqtt_url, "http://testserver",
                        demo=True)
    clock = Clock()
    app = create_app(site, settings, _passwords(), notifier=RecordingNotifier(),
                     resident_notifier=RecordingResidents(), clock=clock)
    with TestClient(app) as c:
        yield Room(c, clock)


def test_an_order_is_pending_until_completed_then_billed_and_a_payment_clears_it(room: Room
                                                                                ) -> None:
    before = room.fees()
    placed = room.order("plumbing")  # ¥80 on the demo menu
    pending = room.charge(placed["number"])
    assert (pending["label_zh"], pending["amount"], pending["state"], pending["status"]) == (
        "水管维修", 80.0, "pending", "pending")
    assert pending["due"] is None and pending["billed_at"] is None
    after_order = room.fees()
    assert (after_order["balance"], after_order["arrears"]) == (before["balance"],
                                                                before["arrears"])
    assert after_order["statements"] == before["statements"]  # the old fields are unchanged

    room.step(placed["id"], "assign", {"assignee": "maintenance"})
    assert room.charge(placed["number"])["state"] == "pending"  # assigned is not done
    room.clock.advance(hours=2)
    room.step(placed["id"], "complete")
    billed = room.charge(placed["number"])
    done_on = room.clock().date()  # the demo site's day (Asia/Shanghai) is the same here
    assert (billed["state"], billed["status"], billed["paid"]) == ("billed", "unpaid", 0.0)
    assert billed["due"] == (done_on + timedelta(days=CHARGE_DUE_DAYS)).isoformat()
    assert billed["billed_at"] is not None
    after_done = room.fees()
    assert after_done["balance"] == pytest.approx(before["balance"] - 80)
    assert after_done["arrears"] == before["arrears"]  # not due yet
    me = room.c.get("/api/kiosk/me", headers=room.me).json()
    assert me["balance"] == pytest.approx(before["balance"] - 80)

    # The desk takes what the flat owes in all: the order is paid (oldest debt first).
    owed = -after_done["balance"]
    r = room.c.post(f"/api/fees/{UNIT}/payments", headers=room.desk,
                    json={"amount": owed, "method": "cash"})
    assert r.status_code == 201, r.text
    paid = room.charge(placed["number"])
    assert (paid["status"], paid["paid"]) == ("paid", 80.0)
    assert room.fees()["balance"] == pytest.approx(0)
    # and the console sees the same account
    staff = room.c.get(f"/api/fees/{UNIT}", headers=room.desk).json()
    assert staff["order_charges"] == room.fees()["order_charges"]


def test_a_billed_order_unpaid_past_its_due_date_is_an_arrear(room: Room) -> None:
    before = room.fees()
    placed = room.order("electrical")
    room.step(placed["id"], "assign", {"assignee": "maintenance"})
    room.step(placed["id"], "complete")
    room.clock.advance(days=CHARGE_DUE_DAYS + 1)
    late = room.fees()
    assert late["arrears"] == pytest.approx(before["arrears"] + 80)
    listed = room.c.get("/api/fees", headers=room.desk).json()["data"]
    assert any(r["unit"] == UNIT and r["arrears"] == late["arrears"] for r in listed)


def test_a_cancelled_order_is_void_and_never_counted(room: Room) -> None:
    before = room.fees()
    placed = room.order("home-cleaning")  # ¥150
    room.step(placed["id"], "cancel", {"note": "resident changed their mind"})
    void = room.charge(placed["number"])
    assert (void["state"], void["status"], void["amount"]) == ("void", "void", 150.0)
    after = room.fees()
    assert (after["balance"], after["arrears"]) == (before["balance"], before["arrears"])


def test_reopened_work_goes_back_to_pending(room: Room) -> None:
    before = room.fees()
    placed = room.order("plumbing")
    room.step(placed["id"], "assign", {"assignee": "maintenance"})
    room.step(placed["id"], "complete")
    room.step(placed["id"], "reopen", {"note": "still dripping"})
    assert room.charge(placed["number"])["state"] == "pending"
    assert room.fees()["balance"] == before["balance"]


def test_a_quote_priced_or_free_item_gets_no_charge(room: Room) -> None:
    room.order("moving")  # priced on quote
    assert room.fees()["order_charges"] == []


def test_every_charge_change_is_audited_with_the_order_and_the_amount(room: Room) -> None:
    placed = room.order("plumbing")
    other = room.order("home-cleaning")
    room.step(placed["id"], "assign", {"assignee": "maintenance"})
    room.step(placed["id"], "complete")
    room.step(other["id"], "cancel", {"note": "no longer needed"})
    made = room.audit("fee.charge")
    assert {e["actor"] for e in made} == {f"resident:{UNIT}@kiosk-1"}
    assert {e["target"] for e in made} == {f"unit:{UNIT}"}
    assert any(placed["number"] in e["detail"] and "80.00 CNY pending" in e["detail"]
               for e in made)
    billed = room.audit("fee.charge_billed")
    assert len(billed) == 1 and billed[0]["actor"] == "butler1"
    assert placed["number"] in billed[0]["detail"] and "billed 80.00 CNY" in billed[0]["detail"]
    void = room.audit("fee.charge_void")
    assert len(void) == 1 and other["number"] in void[0]["detail"]
    assert date.fromisoformat(room.charge(placed["number"])["due"]) > room.clock().date()
