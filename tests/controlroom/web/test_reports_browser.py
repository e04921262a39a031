"""The monthly report page in a real browser: the supervisor picks a month, sees the figures
(a resolved alarm of this month counted under its priority) and downloads the PDF and Excel."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import ARTIFACTS, CHROMIUM, ControlRoom, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect


def test_the_supervisor_reads_this_months_report_and_downloads_it(page: Any, room: ControlRoom
                                                                   ) -> None:
    room.signal("gas-1-2-1502", "gas_alarm", 1)
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    sign_in(page, "supervisor", "supervisor123")
    page.get_by_test_id("nav-reports").click()
    page.get_by_test_id("report-month").fill(month)
    page.get_by_test_id("report-show").click()
    view = page.get_by_test_id("reports-view")
    expect(view).to_have_attribute("data-state", "ready")
    expect(page.get_by_test_id("console-view")).to_be_hidden()
    p1 = page.get_by_test_id("report-alarms").locator('[data-figure="P1"] td').nth(1)
    expect(p1).not_to_have_text("0")
    expect(page.get_by_test_id("report-sla")).to_contain_text("respond")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports-page.png"), full_page=True)
    for ext in ("pdf", "xlsx"):
        with page.expect_download() as dl:
            page.get_by_test_id(f"report-{ext}").click()
        path = dl.value.path()
        assert dl.value.suggested_filename == f"report-{month}.{ext}"
        head = path.read_bytes()[:4]
        assert head == (b"%PDF" if ext == "pdf" else b"PK\x03\x04")
