"""The console's views beside the alarm board, in a real browser with real data: device health,
building incidents, test mode with its walk-test report, and the shift's KPI gauges.

A control-room process of the module's own (tests/controlroom/web/test_console_browser.py starts
it the same way); data arrives the way the gateway and operators send it. Screenshots are kept
in var/test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import browser as cb
from tests.support.browser import Room, open_view, shot

pytestmark = cb.CONSOLE_MARKS
expect = cb.expect
ARTIFACTS = cb.ARTIFACTS
@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    with cb.run_controlroom(tmp_path_factory.mktemp("views"), cb.free_port()) as r:
        yield Room(r)


@pytest.fixture
def page(browser: Any, room: Room) -> Iterator[Any]:
    with cb.open_page(browser, room.url) as pg:
        yield pg


# -- device health -----------------------------------------------------------------------------


def test_device_health_lists_the_offline_and_the_low_battery_devices(page: Any, room: Room
                                                                     ) -> None:
    now = datetime.now(UTC)
    room.call("POST", "/api/gateway/devices", "gateway", json={"devices": [
        {"id": "gas-1-1-0201", "online": False, "battery": 64,
         "last_seen": (now - timedelta(hours=2)).isoformat()},
        {"id": "btn-1-1-0202", "online": False, "battery": 9,
         "last_seen": (now - timedelta(minutes=30)).isoformat()},
        {"id": "gas-1-1-0203", "online": True, "battery": 15, "last_seen": now.isoformat()},
        {"id": "btn-1-1-0204", "online": True, "battery": 88, "last_seen": now.isoformat()},
    ]})
    view = open_view(page, "devices")
    offline = view.get_by_test_id("offline-device")
    expect(offline).to_have_count(2)
    # Silent longest first.
    expect(offline.nth(0)).to_have_attribute("data-device", "gas-1-1-0201")
    expect(offline.nth(1)).to_have_attribute("data-device", "btn-1-1-0202")
    expect(offline.nth(0)).to_contain_text("燃气探测器")
    low = view.get_by_test_id("low-battery-device")
    expect(low).to_have_count(2)
    expect(low.nth(0)).to_have_attribute("data-device", "btn-1-1-0202")  # 9 % before 15 %
    expect(low.nth(0)).to_contain_text("9%")
    expect(low.nth(1)).to_have_attribute("data-device", "gas-1-1-0203")
    expect(view.get_by_test_id("stat-total").locator("b")).to_have_text("578")
    expect(view.get_by_test_id("stat-offline").locator("b")).to_have_text("2")
    expect(view.get_by_test_id("stat-low").locator("b")).to_have_text("2")
    shot(page, "view-devices")

    # Back to the board, which kept running.
    page.get_by_test_id("nav-board").click()
    expect(page.get_by_test_id("console-view")).to_be_visible()
    expect(view).to_be_hidden()


# -- incidents ---------------------------------------------------------------------------------


def test_a_building_incident_is_shown_with_its_linked_alarms(page: Any, room: Room) -> None:
    first = room.signal("gas-2-2-0301", "gas_alarm", 1)
    room.signal("gas-2-2-0401", "gas_alarm", 1)
    room.call("POST", f"/api/alerts/{first['id']}/ack", "operator", json={"note": "seen"})
    incident = room.call("GET", "/api/alerts?kind=incident&building=2", "operator")["data"][0]

    view = open_view(page, "incidents")
    card = view.get_by_test_id("incident")
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-alert-id", str(incident["id"]))
    expect(card).to_contain_text("2号楼")
    expect(card.get_by_test_id("incident-units")).to_have_text("2-2-0301, 2-2-0401")
    linked = card.get_by_test_id("linked-alert")
    expect(linked).to_have_count(2)
    expect(linked.nth(0)).to_have_attribute("data-alert-id", str(first["id"]))
    expect(linked.nth(0)).to_contain_text("已确认")
    expect(linked.nth(0)).to_contain_text("operator")
    expect(linked.nth(1)).to_contain_text("待确认")
    shot(page, "view-incidents")

    # From the incident to its place on the board, with its details.
    card.get_by_test_id("incident-open").click()
    expect(page.get_by_test_id("console-view")).to_be_visible()
    expect(page.get_by_test_id("details-pane")).to_have_attribute(
        "data-alert-id", str(incident["id"]))


# -- test mode ---------------------------------------------------------------------------------


def test_maintenance_puts_a_flat_on_test_reads_the_walk_test_report_and_ends_it(
        page: Any, browser: Any, room: Room) -> None:
    view = open_view(page, "testmode", "maintenance")
    form = view.get_by_test_id("test-form")
    form.get_by_test_id("test-submit").click()
    expect(view.get_by_test_id("test-form-error")).to_have_text(
        "请填写对象、时长（1–480 分钟）和原因。")
    form.get_by_test_id("test-target").fill("9-9-9999")
    form.get_by_test_id("test-reason").fill("年度走测")
    form.get_by_test_id("test-submit").click()
    # The server's own words, which say what to give.
    expect(view.get_by_test_id("test-form-error")).to_contain_text("target: no unit '9-9-9999'")

    form.get_by_test_id("test-target").fill("1-1-0301")
    form.get_by_test_id("test-minutes").fill("20")
    form.get_by_test_id("test-submit").click()
    window = view.get_by_test_id("test-window")
    expect(window).to_have_count(1)
    expect(window).to_contain_text("房屋 1-1-0301")
    expect(window).to_contain_text("年度走测")
    expect(window.get_by_test_id("test-left")).to_contain_text("min")
    window_id = window.get_attribute("data-window-id")
    # The form is ready for the next one.
    expect(view.get_by_test_id("test-target")).to_have_value("")
    expect(view.get_by_test_id("test-minutes")).to_have_value("30")

    # The flat's gas detector reports during the test; its panic button does not.
    alert = room.signal("gas-1-1-0301", "gas_alarm", 1)
    assert alert["test"] is True
    window.get_by_test_id("test-report").click()
    report = view.get_by_test_id("walk-test-report")
    expect(report).to_have_attribute("data-window-id", window_id)
    expect(report.get_by_test_id("report-summary")).to_have_text(
        "共 2 台设备，已上报 1 台，未上报 1 台")
    expect(report.get_by_test_id("report-silent")).to_contain_text("btn-1-1-0301")
    rows = report.get_by_test_id("report-device")
    expect(rows.and_(page.locator('[data-device="gas-1-1-0301"]'))).to_have_attribute(
        "data-reported", "true")
    expect(rows.and_(page.locator('[data-device="btn-1-1-0301"]'))).to_have_attribute(
        "data-reported", "false")
    shot(page, "view-testmode")

    # End it: back in service, listed as ended, its test alert closed.
    window.get_by_test_id("test-end").click()
    expect(view.get_by_test_id("test-window")).to_have_count(0)
    expect(view.get_by_test_id("active-tests-empty")).to_be_visible()
    ended = view.get_by_test_id("test-window-ended").and_(
        page.locator(f'[data-window-id="{window_id}"]'))
    expect(ended).to_have_count(1)
    closed = room.call("GET", f"/api/alerts/{alert['id']}", "operator")
    assert (closed["state"], closed["cause"]) == ("resolved", "test")

    # An operator reads test mode but cannot start one.
    with cb.open_page(browser, room.url) as op_page:
        op_view = open_view(op_page, "testmode", "operator")
        expect(op_view.get_by_test_id("test-no-right")).to_be_visible()
        expect(op_view.get_by_test_id("test-submit")).to_be_disabled()


# -- KPIs ----------------------------------------------------------------------------------------


def test_the_shift_gauges_show_the_live_figures_against_the_norms(page: Any, room: Room) -> None:
    quick = [room.signal(f"btn-1-2-01{n:02}", "panic", 1) for n in (1, 2)]
    room.signal("btn-1-2-0103", "panic", 1)  # left waiting: it counts against the share
    for a in quick:
        room.call("POST", f"/api/alerts/{a['id']}/ack", "operator", json={})
    room.call("POST", f"/api/alerts/{quick[0]['id']}/resolve", "operator",
              json={"cause": "false_alarm", "note": "child pressed it"})
    room.signal("gas-1-2-0104", "battery_low", 4)

    view = open_view(page, "kpis", "supervisor")
    shift = room.call("GET", "/api/kpis/shift", "supervisor")
    f = shift["figures"]
    # Priority 1 alone against the norms, by hand from the per-priority figures; the rest apart.
    p1f = f["priorities"][0]
    share30 = p1f["ack_within_30s"]
    g30 = view.get_by_test_id("gauge-30")
    expect(g30).to_have_attribute("data-share", f"{share30:.4f}")
    expect(g30).to_have_attribute("data-count", str(p1f["count"]))
    rest = [p for p in f["priorities"][1:] if p["count"]]
    n_rest = sum(p["count"] for p in rest)
    rest30 = sum(p["ack_within_30s"] * p["count"] for p in rest) / n_rest
    g_rest = view.get_by_test_id("gauge-rest-30")
    expect(g_rest).to_have_attribute("data-share", f"{rest30:.4f}")
    expect(g_rest).to_have_attribute("data-count", str(n_rest))
    expect(view.get_by_test_id("kpi-p1-heading")).to_be_visible()
    expect(g30.get_by_test_id("gauge-value")).to_have_text(f"{share30 * 100:.1f}%")
    expect(g30).to_have_attribute("data-meets", "true" if share30 >= 0.8 else "false")
    expect(g30).to_contain_text("标准 80.0%")
    expect(view.get_by_test_id("gauge-60")).to_contain_text("标准 98.5%")
    p1 = view.get_by_test_id("kpi-priority").and_(page.locator('[data-priority="1"]'))
    expect(p1.locator("td").nth(1)).to_have_text(str(f["priorities"][0]["count"]))
    expect(view.get_by_test_id("by-kind-item").and_(page.locator('[data-key="panic"]'))
           ).to_contain_text(str(f["by_kind"]["panic"]))
    expect(view.get_by_test_id("by-cause-item").and_(page.locator('[data-key="false_alarm"]'))
           ).to_contain_text("误报")
    noisy = view.get_by_test_id("noisy-device")
    expect(noisy.first).to_have_attribute("data-device", f["devices"][0]["device"])
    flood = room.call("GET", "/api/kpis/flood", "supervisor")
    expect(view.get_by_test_id("flood-meter")).to_have_attribute("data-current",
                                                                 str(flood["current"]))
    backlog = view.get_by_test_id("gauge-backlog").get_by_test_id("gauge-value")
    expect(backlog).to_have_text(str(shift["open_unacknowledged"]))
    shot(page, "view-kpis")

    # Live: a new unacknowledged alarm moves the backlog without a reload.
    room.signal("btn-1-2-0201", "panic", 1)
    expect(backlog).to_have_text(str(shift["open_unacknowledged"] + 1))

    # The CSV of the shift so far.
    with page.expect_download() as dl:
        view.get_by_test_id("kpi-csv").click()
    path = dl.value.path()
    assert dl.value.suggested_filename.startswith("kpis_")
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith("section,key,count,")
    assert "\nkind,panic," in text

    # In English too.
    page.get_by_test_id("lang-toggle").click()
    expect(view.get_by_test_id("gauge-30")).to_contain_text("Acknowledged within 30 s")
    expect(page.get_by_test_id("view-tab-kpis")).to_have_text("KPIs")
    shot(page, "view-kpis-en")
