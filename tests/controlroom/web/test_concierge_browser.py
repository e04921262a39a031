"""The concierge page in a real browser: a found item recorded with its photo and claimed
against ID; a wake-up call unanswered twice (the butler sent); a slot booked, then taken."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image

from tests.support.browser import ARTIFACTS, CHROMIUM, ControlRoom, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect


def test_visitor_found_item_wakeup_and_booking_at_the_concierge_desk(
        page: Any, room: ControlRoom, tmp_path: Path) -> None:
    photo = tmp_path / "umbrella.png"
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 90, 200)).save(buf, "PNG")
    photo.write_bytes(buf.getvalue())
    # A visitor announced by the resident at the kiosk is on the desk's list for today.
    kiosk = {"Authorization": f"Bearer {room.token('kiosk-1', 'kiosk1-secret')}"}
    session = httpx.post(f"{room.base_url}/api/kiosk/session", headers=kiosk, timeout=10, json={
        "method": "pin", "unit": "2-1-0304", "pin": "135790"}).json()["session"]
    soon = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(minutes=30)
    r = httpx.post(f"{room.base_url}/api/kiosk/visitors", timeout=10,
                   headers={**kiosk, "X-Resident-Session": session},
                   json={"name": "周丽", "expected_at": soon.isoformat(), "purpose": "探亲"})
    assert r.status_code == 201, r.text
    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("nav-concierge").click()
    visitor = page.get_by_test_id("vs-row").filter(has_text="周丽")
    expect(visitor).to_contain_text("住户预报")
    page.once("dialog", lambda d: d.accept("310101197001014417"))
    visitor.get_by_test_id("vs-arrive").click()
    expect(visitor).to_have_attribute("data-state", "arrived")
    page.get_by_test_id("lf-description").fill("蓝色雨伞 blue umbrella")
    page.get_by_test_id("lf-place").fill("会所门口")
    page.get_by_test_id("lf-found-by").fill("保安 刘")
    page.get_by_test_id("lf-photo-file").set_input_files(str(photo))
    page.get_by_test_id("lf-submit").click()
    item = page.get_by_test_id("lf-item").filter(has_text="蓝色雨伞")
    expect(item).to_have_count(1)
    img = item.get_by_test_id("lf-photo")
    expect(img).to_have_attribute("src", re.compile(r"^data:image/png"))
    assert img.evaluate("i => i.naturalWidth") == 60

    # A wake-up call a minute ago cannot be booked; one in a minute can.
    at = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_test_id("wk-unit").fill("1-1-0301")
    page.get_by_test_id("wk-at").fill(at)
    page.get_by_test_id("wk-note").fill("早班机")
    page.get_by_test_id("wk-submit").click()
    call = page.get_by_test_id("wk-call").filter(has_text="1-1-0301")
    expect(call).to_have_count(1)
    call.get_by_test_id("wk-unanswered").click()  # not due yet: refused, said why
    expect(page.get_by_test_id("concierge-status")).to_contain_text("due at")

    day = (date.today() + timedelta(days=2)).isoformat()
    page.get_by_test_id("bk-unit").fill("1-1-0301")
    page.get_by_test_id("bk-service").select_option("tennis")
    page.get_by_test_id("bk-day").fill(day)
    slots = page.get_by_test_id("bk-slot")
    expect(slots).to_have_count(14)
    slots.nth(2).get_by_test_id("bk-book").click()
    expect(slots.nth(2)).to_have_attribute("data-free", "false")
    expect(slots.nth(1)).to_have_attribute("data-free", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "concierge.png"), full_page=True)

    item.locator("input[name=claimant]").fill("王先生")
    item.locator("input[name=id_number]").fill("310101199001011111")
    item.get_by_role("button").click()
    expect(page.get_by_test_id("lf-item").filter(has_text="蓝色雨伞")).to_have_count(0)
