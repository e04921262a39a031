"""Collecting a held item at the kiosk with the resident card (issue 16, ARCHITECTURE §1):
only a session opened by card may, only the flat's own items, under every rule of a code
pickup, and the release is audited as a card release."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config import Settings, load_site
from controlroom.app import create_app
from tests.controlroom.conftest import Clock, RecordingNotifier, RecordingResidents, _passwords
from tests.utils import auth

CARD = "04A3150201"  # 陈桂芳, 1-2-1502 (docs/api/kiosk.md "Demo identities")


class Room:
    def __init__(self, client: TestClient) -> None:
        self.c = client
        self.kiosk = auth(client, "kiosk-1", "kiosk1-secret")
        self.desk = auth(client, "frontdesk", "frontdesk123")

    def check_in(self, unit: str = "1-2-1502", kind: str = "parcel", pieces: int = 1) -> dict:
        r = self.c.post("/api/items", headers=self.desk, json={
            "unit": unit, "kind": kind, "pieces": pieces, "location": "A-03"})
        assert r.status_code == 201, r.text
        return dict(r.json()["item"])

    def log_in(self, body: dict) -> dict[str, str]:
        r = self.c.post("/api/kiosk/session", headers=self.kiosk, json=body)
        assert r.status_code == 201, r.text
        return {**self.kiosk, "X-Resident-Session": r.json()["session"]}

    def by_card(self) -> dict[str, str]:
        return self.log_in({"method": "card", "card": CARD})

    def by_pin(self) -> dict[str, str]:
        return self.log_in({"method": "pin", "unit": "1-2-1502", "pin": "246810"})

    def collect(self, who: dict[str, str], item_id: int, pieces: int = 1) -> object:
        return self.c.post(f"/api/kiosk/items/{item_id}/collect", headers=who,
                           json={"pieces": pieces})

    def item(self, item_id: int) -> dict:
        return dict(self.c.get(f"/api/items/{item_id}", headers=self.desk).json())


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    site = load_site()
    settings = Settings(f"sqlite:///{tmp_path}/cr.db", site.mqtt_url, "http://testserver",
                        demo=True)
    app = create_app(site, settings, _passwords(), notifier=RecordingNotifier(),
                     resident_notifier=RecordingResidents(), clock=Clock())
    with TestClient(app) as c:
        yield Room(c)


def test_a_card_session_collects_the_flats_parcel_released_and_audited_by_card(room: Room
                                                                              ) -> None:
    parcel = room.check_in()
    me = room.by_card()
    listed = room.c.get("/api/kiosk/items", headers=me).json()["items"]
    assert [(i["id"], i["where"], i["location"]) for i in listed] == [
        (parcel["id"], "kiosk", "A-03")]
    r = room.collect(me, parcel["id"])
    assert r.status_code == 200, r.text
    assert r.json()["item"]["serial"] == parcel["serial"] and r.json()["released_at"]
    after = room.item(parcel["id"])
    assert after["item"]["state"] == "released"
    assert after["item"]["picked_up_at"] and after["item"]["released_via"] == "kiosk"
    assert after["item"]["picked_up_by"] == "resident of the flat, by card"
    release = [e for e in after["history"] if e["action"] == "item.release"]
    assert len(release) == 1 and release[0]["actor"] == "kiosk-1"
    assert "released at the kiosk" in release[0]["detail"] and "by card" in release[0]["detail"]
    assert room.c.get("/api/kiosk/items", headers=me).json()["items"] == []
    # a second collect: already collected, nothing changes
    again = room.collect(me, parcel["id"])
    assert again.status_code == 410 and again.json()["code"] == "already_collected"


def test_a_pin_session_is_told_to_use_the_code_or_the_card(room: Room) -> None:
    parcel = room.check_in()
    r = room.collect(room.by_pin(), parcel["id"])
    assert r.status_code == 403 and r.json()["code"] == "card_required"
    assert "pickup code" in r.json()["detail"] and "resident card" in r.json()["detail"]
    assert room.item(parcel["id"])["item"]["state"] == "held"


def test_another_flats_item_is_not_found_and_stays_held(room: Room) -> None:
    theirs = room.check_in(unit="2-1-0304")
    r = room.collect(room.by_card(), theirs["id"])
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert room.collect(room.by_card(), 987654).status_code == 404
    assert room.item(theirs["id"])["item"]["state"] == "held"


def test_the_code_pickups_rules_hold_for_the_card_too(room: Room) -> None:
    me = room.by_card()
    handover = room.check_in(kind="handover")
    r = room.collect(me, handover["id"])
    assert r.status_code == 409 and r.json()["code"] == "desk_only"
    two = room.check_in(pieces=2)
    r = room.collect(me, two["id"], pieces=1)
    assert r.status_code == 409 and r.json()["code"] == "pieces_mismatch"
    hold = room.c.post("/api/items/holds", headers=room.desk,
                       json={"unit": "1-2-1502", "note": "away"})
    assert hold.status_code == 201, hold.text
    r = room.collect(me, two["id"], pieces=2)
    assert r.status_code == 409 and r.json()["code"] == "desk_only"
    for item in (handover, two):
        assert room.item(item["id"])["item"]["state"] == "held"


def test_without_a_session_collect_is_401(room: Room) -> None:
    parcel = room.check_in()
    r = room.c.post(f"/api/kiosk/items/{parcel['id']}/collect", headers=room.kiosk,
                    json={"pieces": 1})
    assert r.status_code == 401 and r.json()["code"] == "session_expired"
