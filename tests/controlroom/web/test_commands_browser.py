"""Device commands in the console (issue 17): after a gas alarm resolved as false, the operator
reopens the valve from the alert's pane — asked to confirm first —, the simulated detector
confirms, and the history shows who asked and what the device answered; maintenance sees
self-test and reboot, the operator does not. Screenshots in var/test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support import browser as cb
from tests.support.sites import small_site_text, write_site
from tests.support.stack import MOSQUITTO, Stack
from tests.utils import wait_until

pytestmark = [*cb.CONSOLE_MARKS, pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]
expect = cb.expect


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("cmdbrowser")
    site = write_site(tmp, small_site_text("testsite", floors=1, flats=2, auto_valve=True))
    s = Stack(tmp, "mosquitto", site)
    try:
        s.start_all()
        s.wait_sim_online()
        yield s
    finally:
        s.group.stop_all()


def test_reopen_the_valve_from_the_console(stack: Stack, browser: Any) -> None:
    op = {"Authorization": f"Bearer {stack.token('operator', 'operator123')}"}

    def gas_alert() -> dict[str, Any] | None:
        data = httpx.get(f"{stack.api_url}/api/alerts", headers=op, timeout=10,
                         params={"state": "all", "kind": "gas_alarm", "unit": "1-1-0101"}
                         ).json()["data"]
        return next((a for a in data if a["detail"].get("valve")), None)

    stack.sim("gas", "--unit", "1-1-0101")
    alert = wait_until("the gas alarm, its valve closed", gas_alert, 60)
    stack.sim("gas", "--unit", "1-1-0101", "--state", "normal")
    with cb.open_page(browser, stack.api_url) as page:
        cb.sign_in(page, "operator", "operator123")
        cb.wait_for_live_board(page)
        cb.alert_row(page, alert["id"]).click()
        pane = page.get_by_test_id("details-pane")
        expect(pane.get_by_test_id("commands-section")).to_be_visible()
        expect(pane.get_by_test_id("cmd-valve_open")).to_have_count(0)  # not while open
        expect(pane.get_by_test_id("cmd-self_test")).to_have_count(0)  # maintenance's
        r = httpx.post(f"{stack.api_url}/api/alerts/{alert['id']}/resolve", headers=op,
                       json={"cause": "false_alarm", "note": "burnt toast"}, timeout=10)
        assert r.status_code == 200, r.text
        valve = pane.get_by_test_id("cmd-valve_open")
        expect(valve).to_be_visible()
        valve.click()
        confirm = pane.get_by_test_id("cmd-confirm")
        expect(confirm).to_contain_text("gas-1-1-0101")
        cb.shot(page, "command-confirm")
        confirm.get_by_test_id("cmd-confirm-yes").click()
        item = pane.get_by_test_id("cmd-item").first
        expect(item).to_have_attribute("data-cmd", "valve_open")
        expect(item).to_have_attribute("data-state", "ok", timeout=60_000)
        expect(item.get_by_test_id("cmd-state")).to_have_text("设备已确认")
        answered = pane.locator('[data-testid="history-item"][data-action="command_answer"]')
        expect(answered).to_have_attribute("data-actor", "gas-1-1-0101", timeout=30_000)
        asked = pane.locator('[data-testid="history-item"][data-action="command"]')
        expect(asked).to_have_attribute("data-actor", "operator")
        cb.shot(page, "command-confirmed")
    with cb.open_page(browser, stack.api_url) as page:
        cb.sign_in(page, "maintenance", "maintenance123")
        cb.wait_for_live_board(page)
        stack.sim("press", "--unit", "1-1-0102")
        row = page.locator('[data-testid="alert-row"]').first
        expect(row).to_be_visible(timeout=60_000)
        row.click()
        pane = page.get_by_test_id("details-pane")
        expect(pane.get_by_test_id("cmd-self_test")).to_be_visible()
        expect(pane.get_by_test_id("cmd-reboot")).to_be_visible()
        expect(pane.get_by_test_id("cmd-silence")).to_have_count(0)
        pane.get_by_test_id("cmd-self_test").click()
        expect(pane.get_by_test_id("cmd-item").first).to_have_attribute("data-state", "ok",
                                                                        timeout=60_000)
