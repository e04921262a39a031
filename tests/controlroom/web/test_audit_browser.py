"""The audit page in a real browser (issue 16, acceptance 1): the supervisor finds who resolved
an alarm, by the alarm and by the action."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.browser import ARTIFACTS, CHROMIUM, ControlRoom, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect


def test_the_audit_page_finds_who_resolved_an_alarm(page: Any, room: ControlRoom) -> None:
    alert = room.signal("gas-2-1-0304", "gas_alarm", 1)
    r = httpx.post(f"{room.base_url}/api/alerts/{alert['id']}/resolve", timeout=10,
                   json={"cause": "false_alarm", "note": "住户煮饭 cooking"},
                   headers={"Authorization": f"Bearer {room.token('operator', 'operator123')}"})
    assert r.status_code == 200, r.text
    sign_in(page, "supervisor", "supervisor123")
    page.get_by_test_id("nav-audit").click()
    expect(page.get_by_test_id("audit-view")).to_be_visible()
    page.get_by_test_id("audit-target").fill(f"alert:{alert['id']}")
    page.get_by_test_id("audit-search").click()
    resolved = page.locator('[data-testid="audit-row"][data-action="alert.resolve"]')
    expect(resolved).to_have_count(1)
    expect(resolved.get_by_test_id("audit-row-actor")).to_have_text("operator")
    expect(page.get_by_test_id("audit-row")).to_have_count(1)  # nothing else touched it
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-who-resolved.png"), full_page=True)

    # By action alone, every alarm's resolver; by an actor who did not, none.
    page.get_by_test_id("audit-target").fill("alert:")
    page.get_by_test_id("audit-action").fill("alert.resolve")
    page.get_by_test_id("audit-search").click()
    expect(resolved).to_have_count(1)
    page.get_by_test_id("audit-actor").fill("frontdesk")
    page.get_by_test_id("audit-search").click()
    expect(page.get_by_test_id("audit-row")).to_have_count(0)
    expect(page.get_by_test_id("audit-status")).to_have_text("没有符合条件的记录")
