"""Resolving an alarm whose device is still in alarm, in the console (issue 19, item 3): the
console asks first; once resolved the flat is listed as "still in alarm" until the detector
restores; a new reading raises a new alert on the board. Screenshots in var/test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support import browser as cb

pytestmark = cb.CONSOLE_MARKS
expect = cb.expect
GAS = "gas-1-2-1502"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cb.ControlRoom]:
    with cb.run_controlroom(tmp_path_factory.mktemp("still"), cb.free_port()) as r:
        yield r


@pytest.fixture
def page(browser: Any, room: cb.ControlRoom) -> Iterator[Any]:
    with cb.open_page(browser, room.base_url) as pg:
        yield pg


def _restore(room: cb.ControlRoom, device: str, kind: str, n: int) -> None:
    r = httpx.post(f"{room.base_url}/api/gateway/signals", timeout=10, json={
        "key": f"{device}:1:{n}/{kind}", "device": device, "kind": kind, "priority": 1,
        "condition": "restored", "observed_at": datetime.now(UTC).isoformat(), "detail": {}},
        headers={"Authorization": f"Bearer {room.token('gateway', 'gateway123')}"})
    assert r.status_code == 200, r.text


def _shot(page: Any, name: str) -> None:
    cb.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(cb.ARTIFACTS / f"console-{name}.png"))


def test_resolving_a_gas_alarm_still_in_alarm_asks_first_and_the_flat_stays_in_alarm(
        page: Any, room: cb.ControlRoom) -> None:
    cb.sign_in(page)
    cb.wait_for_live_board(page)
    alert = room.signal(GAS, "gas_alarm", 1, detail={"lel": 27.5})
    row = cb.alert_row(page, alert["id"])
    expect(row).to_have_attribute("data-condition", "active")

    row.get_by_test_id("resolve-button").click()
    form = page.get_by_test_id("resolve-form")
    form.get_by_test_id("resolve-cause").select_option("real")
    form.get_by_test_id("resolve-note").fill("已关闭燃气总阀，开窗通风")
    form.get_by_test_id("resolve-submit").click()
    box = form.get_by_test_id("resolve-confirm-box")
    expect(box).to_contain_text("燃气报警仍在报警（LEL 27.5%），设备尚未恢复。仍要处理完毕吗？")
    _shot(page, "resolve-still-active-confirm")
    # "Keep it open": nothing is sent.
    box.get_by_test_id("resolve-keep").click()
    expect(box).to_have_count(0)
    assert room.alert(alert["id"])["state"] == "open"

    form.get_by_test_id("resolve-submit").click()
    form.get_by_test_id("resolve-confirm").click()
    expect(row).to_have_count(0)
    stored = room.alert(alert["id"])
    assert (stored["state"], stored["condition"]) == ("resolved", "active")
    still = page.get_by_test_id("still-row")
    expect(still).to_have_count(1)
    expect(still).to_have_attribute("data-alert-id", str(alert["id"]))
    expect(still).to_contain_text("仍在报警")
    expect(still).to_contain_text("1-2-1502")
    expect(still).to_contain_text("LEL 27.5%")
    # Opened, it shows the alert resolved and its condition still active, with the record.
    still.click()
    pane = page.get_by_test_id("details-pane")
    expect(pane).to_have_attribute("data-alert-id", str(alert["id"]))
    facts = pane.get_by_test_id("details-facts")
    expect(facts).to_contain_text("已处理")
    expect(facts).to_contain_text("报警中")
    # "condition still active", in the console's words
    expect(pane.get_by_test_id("history-item").last).to_contain_text("仍在报警")
    _shot(page, "resolve-still-in-alarm")

    # A fresh console (a reload) shows it too: it comes from the server, not from this tab.
    page.reload()
    cb.wait_for_live_board(page)
    expect(page.get_by_test_id("still-row")).to_have_attribute("data-alert-id",
                                                              str(alert["id"]))

    # A new alarm reading raises a new alert on the board.
    again = room.signal(GAS, "gas_alarm", 1, n=2, detail={"lel": 31.0})
    assert again["id"] != alert["id"]
    expect(cb.alert_row(page, again["id"])).to_have_attribute("data-state", "open")

    # The detector clears: the flat is no longer listed, and the restore is on the record.
    _restore(room, GAS, "gas_alarm", 3)
    expect(page.get_by_test_id("still-section")).to_be_hidden()
    expect(cb.alert_row(page, again["id"])).to_have_attribute("data-condition", "restored")
    stored = room.alert(alert["id"])
    assert (stored["condition"], stored["history"][-1]["action"]) == ("restored", "restored")
