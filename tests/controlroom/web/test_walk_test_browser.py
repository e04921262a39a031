"""A button walk test in the console (issue 19, items 1, 2 and 12): the report filtered to
buttons lists buttons only, a button whose last will arrived is silent, and ending the test
puts what is still offline or in alarm on the board as real alerts. Screenshots in
var/test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from config import load_site
from tests.support import browser as cb

pytestmark = cb.CONSOLE_MARKS
expect = cb.expect
SITE = load_site()
BUTTONS = sorted(d.id for d in SITE.devices.values()
                 if d.building == "2" and d.kind == "panic_button")
ALL = [d for d in SITE.devices.values() if d.building == "2"]
DEAD, PRESSED, GAS = "btn-2-1-0101", "btn-2-1-0102", "gas-2-1-0103"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cb.Room]:
    with cb.run_controlroom(tmp_path_factory.mktemp("walk"), cb.free_port()) as r:
        yield cb.Room(r)


@pytest.fixture
def page(browser: Any, room: cb.Room) -> Iterator[Any]:
    with cb.open_page(browser, room.url) as pg:
        yield pg


def _reset(room: cb.Room, device: str) -> None:
    room.call("POST", "/api/gateway/signals", "gateway", json={
        "key": f"walk-reset:{device}", "device": device, "kind": "panic", "priority": 1,
        "condition": "restored", "observed_at": datetime.now(UTC).isoformat()})


def _real_open(room: cb.Room, device: str) -> list[dict[str, Any]]:
    data = room.call("GET", "/api/alerts?state=open&test=false", "operator")["data"]
    return [a for a in data if a["device"] == device]


def test_a_button_walk_test_lists_buttons_only_and_ending_it_hides_no_fault(
        page: Any, room: cb.Room) -> None:
    w = room.call("POST", "/api/test-mode", "maintenance", json={
        "scope": "building", "target": "2", "minutes": 30, "reason": "紧急按钮走测"})
    room.signal(DEAD, "device_offline", 2)  # taken off the network: its last will
    room.signal(PRESSED, "panic", 1)
    _reset(room, PRESSED)
    room.signal(GAS, "gas_alarm", 1)  # a detector still in alarm when the test ends

    view = cb.open_view(page, "testmode", "maintenance")
    window = view.get_by_test_id("test-window").and_(
        page.locator(f'[data-window-id="{w["id"]}"]'))
    window.get_by_test_id("test-report").click()
    report = view.get_by_test_id("walk-test-report")
    expect(report.get_by_test_id("report-summary")).to_have_text(
        f"共 {len(ALL)} 台设备，已上报 2 台，未上报 {len(ALL) - 2} 台")

    report.get_by_test_id("report-kind").select_option("panic_button")
    report = view.get_by_test_id("walk-test-report")
    expect(report).to_have_attribute("data-kind", "panic_button")
    expect(report.get_by_test_id("report-summary")).to_have_text(
        f"共 {len(BUTTONS)} 台设备，已上报 1 台，未上报 {len(BUTTONS) - 1} 台")
    rows = report.get_by_test_id("report-device")
    expect(rows).to_have_count(len(BUTTONS))
    expect(report.locator('[data-device^="gas-"]')).to_have_count(0)
    expect(report.locator(f'[data-device="{DEAD}"]')).to_have_attribute("data-reported", "false")
    expect(report.locator(f'[data-device="{PRESSED}"]')).to_have_attribute("data-reported",
                                                                           "true")
    silent = report.get_by_test_id("report-silent")
    expect(silent).to_contain_text(DEAD)
    expect(silent).not_to_contain_text("gas-")
    report.get_by_test_id("report-kind").scroll_into_view_if_needed()
    cb.shot(page, "walk-test-buttons-only")

    # End the test: the dead button and the detector still in alarm are real alerts now.
    window.get_by_test_id("test-end").click()
    expect(view.get_by_test_id("test-window")).to_have_count(0)
    # The filter stays on for the report shown after the end.
    expect(view.get_by_test_id("walk-test-report")).to_have_attribute("data-kind",
                                                                      "panic_button")
    page.get_by_test_id("nav-board").click()
    [dead] = _real_open(room, DEAD)
    [gas] = _real_open(room, GAS)
    for alert, kind in ((dead, "device_offline"), (gas, "gas_alarm")):
        row = cb.alert_row(page, alert["id"])
        expect(row).to_have_attribute("data-test", "false")
        expect(row).to_have_attribute("data-kind", kind)
    assert _real_open(room, PRESSED) == []  # reset during the test: nothing to hand over
    expect(page.get_by_test_id("test-section")).to_be_hidden()
    cb.shot(page, "walk-test-ended-board")
