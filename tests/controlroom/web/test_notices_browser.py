"""Notices in a real browser (issue 16, acceptance 1): the desk schedules a notice; the kiosk's
notices call does not list it before its time and does at its time, and the kiosk's attract
screen (its controller-tier view, kiosk/views.attract_view: the GUI is not started here) shows
it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from kiosk.views import attract_view
from tests.support.browser import ARTIFACTS, CHROMIUM, ControlRoom, sign_in
from tests.utils import wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect
SH = ZoneInfo("Asia/Shanghai")
LEAD = timedelta(seconds=30)  # long enough to look before it starts on a loaded machine


def kiosk_notices(room: ControlRoom) -> list[dict[str, Any]]:
    r = httpx.get(f"{room.base_url}/api/kiosk/notices", timeout=10, headers={
        "Authorization": f"Bearer {room.token('kiosk-1', 'kiosk1-secret')}"})
    assert r.status_code == 200, r.text
    return list(r.json()["notices"])


def test_a_scheduled_notice_reaches_the_kiosks_attract_screen_at_its_time(
        page: Any, room: ControlRoom) -> None:
    title = "明日停水通知"
    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("nav-notices").click()
    start = (datetime.now(SH) + LEAD).replace(microsecond=0)
    page.get_by_test_id("notice-kind").select_option("water")
    page.get_by_test_id("notice-title-zh").fill(title)
    page.get_by_test_id("notice-title-en").fill("Water off tomorrow")
    page.get_by_test_id("notice-body-zh").fill("1号楼 9:00-12:00 停水检修")
    page.get_by_test_id("notice-starts").fill(start.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_test_id("notice-expires").fill((start + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M:%S"))
    page.get_by_test_id("notice-submit").click()
    expect(page.get_by_test_id("notices-status")).to_contain_text("公告已排期")
    row = page.get_by_test_id("notice-row").filter(has_text=title)
    expect(row).to_have_attribute("data-state", "scheduled")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "notices-scheduled.png"), full_page=True)

    assert datetime.now(SH) < start, "the machine was too slow to look before the start"
    assert title not in [n["title_zh"] for n in kiosk_notices(room)]
    shown = wait_until("the notice at the kiosk", lambda: [
        n for n in kiosk_notices(room) if n["title_zh"] == title], timeout=LEAD.seconds + 30)
    assert datetime.now(SH) >= start - timedelta(seconds=1)
    screen = attract_view(None, shown, "zh", "江畔花园", "1号楼大堂")
    assert screen.notices[0].title == title and "停水检修" in screen.notices[0].detail
