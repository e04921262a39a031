"""End to end against a real control-room process: a parcel checked in at the desk (staff
API) is released at the kiosk with its code; a second use of the code is refused; the
item's audit trail shows who did what and when (issue 6, acceptance 3)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx

from tests.support.stack import Stack
from tests.utils import auth


def test_a_parcel_from_the_desk_is_collected_once_at_the_kiosk_and_audited(
        controlroom_process: Stack) -> None:
    base = controlroom_process.api_url
    desk = auth(base, "frontdesk", "frontdesk123")
    kiosk = auth(base, "kiosk-1", "kiosk1-secret")
    with httpx.Client(base_url=base, timeout=10) as c:
        r = c.post("/api/items", headers=desk, json={
            "unit": "1-2-1502", "kind": "parcel", "pieces": 2, "location": "A-03",
            "carrier": "顺丰 SF", "barcode": "SF1234567890"})
        assert r.status_code == 201, r.text
        checked_in = r.json()
        code, item_id = checked_in["code"], checked_in["item"]["id"]

        r = c.post("/api/kiosk/pickup/lookup", headers=kiosk, json={"code": code})
        assert r.status_code == 200, r.text
        assert r.json()["item"]["location"] == "A-03"
        assert r.json()["item"]["unit_masked"] == "1-2-15**"

        r = c.post("/api/kiosk/pickup/confirm", headers=kiosk, json={"code": code, "pieces": 2})
        assert r.status_code == 200, r.text
        released_at = r.json()["released_at"]

        again = c.post("/api/kiosk/pickup/confirm", headers=kiosk,
                       json={"code": code, "pieces": 2})
        assert again.status_code == 410
        assert again.json()["code"] == "already_collected"
        assert again.json()["released_at"] == released_at

        detail = c.get(f"/api/items/{item_id}", headers=desk).json()
    item, history = detail["item"], detail["history"]
    assert item["state"] == "released" and item["released_by"] == "kiosk-1"
    assert item["released_via"] == "kiosk"
    assert [(h["actor"], h["action"]) for h in history] == [
        ("frontdesk", "item.check_in"), ("kiosk-1", "item.release")]
    checked, released = (datetime.fromisoformat(h["at"]) for h in history)
    assert checked <= released
    assert released == datetime.fromisoformat(released_at)


def test_two_kiosks_confirming_the_same_code_at_once_release_it_once(
        controlroom_process: Stack) -> None:
    base = controlroom_process.api_url
    desk = auth(base, "frontdesk", "frontdesk123")
    kiosks = [auth(base, "kiosk-1", "kiosk1-secret"), auth(base, "kiosk-2", "kiosk2-secret")]
    r = httpx.post(f"{base}/api/items", headers=desk, timeout=10,
                   json={"unit": "2-1-0304", "location": "B-02"})
    code = r.json()["code"]
    barrier = threading.Barrier(6)

    def confirm(i: int) -> int:
        barrier.wait(timeout=30)
        return httpx.post(f"{base}/api/kiosk/pickup/confirm", headers=kiosks[i % 2],
                          json={"code": code, "pieces": 1}, timeout=30).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(confirm, range(6)))
    assert statuses == [200, 410, 410, 410, 410, 410]
