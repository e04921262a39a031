"""The console in an alarm flood (issue 15): 1,000 gas and panic alarms in three buildings
arrive through the gateway's batch endpoint; the board groups them by building, shows the
ISA-18.2 flood banner, its first row answers a click soon after the last alert arrives, and
acknowledging one building's group acknowledges each of its alerts with one audit entry each.
Screenshots in var/test-artifacts/console-flood-*.png."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from config import load_site
from tests.support import browser as cb
from tests.support.browser import Room, shot
from tests.support.sites import demo_text, write_site

pytestmark = cb.CONSOLE_MARKS
expect = cb.expect
ALARMS = 1000
BUILDINGS = ("1", "2", "3")


def _three_buildings() -> str:
    """The demo site with 21 floors a building and a third building like the others: 1,008
    detectors and buttons."""
    text = demo_text().replace("floors = 18", "floors = 21")
    third = ('[[buildings]]\nid = "3"\nname_zh = "3号楼"\nname_en = "Building 3"\n'
             'entrances = 2\nfloors = 21\nflats_per_floor = 4\n\n')
    return text.replace("# Devices beyond the per-flat detector and button.",
                        third + "# Devices beyond the per-flat detector and button.", 1)


@pytest.fixture(scope="module")
def flood_room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Room, list[str]]]:
    tmp = tmp_path_factory.mktemp("flood")
    site = write_site(tmp, _three_buildings())
    per_building: dict[str, list[str]] = {b: [] for b in BUILDINGS}
    for dev in load_site(site).devices:
        kind, b = dev.split("-")[:2]
        if kind in ("gas", "btn") and dev.count("-") == 3 and b in per_building:
            per_building[b].append(dev)
    # Round robin over the buildings: 334, 333 and 333 alarms.
    devices = [d for trio in zip(*per_building.values(), strict=False) for d in trio][:ALARMS]
    assert len(devices) == ALARMS
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUTLER_SITE", str(site))
        with cb.run_controlroom(tmp, cb.free_port()) as r:
            yield Room(r), devices


def _flood(room: Room, devices: list[str]) -> None:
    now = datetime.now(UTC).isoformat()
    sigs = [{"key": f"flood:{d}", "device": d,
             "kind": "gas_alarm" if d.startswith("gas") else "panic", "priority": 1,
             "condition": "active", "observed_at": now} for d in devices]
    for i in range(0, len(sigs), 250):
        r = httpx.post(f"{room.url}/api/gateway/signals/batch", json={"signals": sigs[i:i + 250]},
                       headers=room.headers("gateway"), timeout=60)
        assert r.status_code == 200, r.text
        assert all(item["status"] == 200 for item in r.json()["results"]), r.text


def test_a_thousand_alarms_group_by_building_with_a_flood_banner_and_ack_per_building(
        browser: Any, flood_room: tuple[Room, list[str]]) -> None:
    room, devices = flood_room
    with cb.open_page(browser, room.url) as page:
        cb.sign_in(page)
        cb.wait_for_live_board(page)
        _flood(room, devices)
        posted = time.monotonic()
        board = room.call("GET", "/api/alerts?state=open&limit=5000", "operator")
        # 1,000 alarms and one incident per building (its gas alarms correlate).
        incidents = [a for a in board["data"] if a["kind"] == "incident"]
        assert board["count"] == ALARMS + len(incidents) and len(incidents) == 3

        status = page.get_by_test_id("board-status")
        expect(status).to_have_attribute("data-count", str(board["count"]), timeout=30000)
        arrived = time.monotonic()
        first = page.locator('[data-testid="alert-row"]').first
        first_id = first.get_attribute("data-alert-id")
        first.get_by_test_id("alert-unit").click()
        expect(page.get_by_test_id("details-pane")).to_have_attribute("data-alert-id",
                                                                      str(first_id))
        answered = time.monotonic()
        print(f"\nlast batch posted -> all {board['count']} on the board: "
              f"{arrived - posted:.2f} s; board complete -> first row clicked and its details "
              f"shown: {answered - arrived:.2f} s")

        groups = page.get_by_test_id("alert-group")
        expect(groups).to_have_count(3)
        expect(page.get_by_test_id("alert-board")).to_have_attribute("data-grouped", "true")
        # Only the top group is open: its rows are in the page, the others' are not.
        expect(groups.nth(0)).to_have_attribute("data-open", "true")
        expect(groups.nth(1)).to_have_attribute("data-open", "false")
        top = groups.nth(0).get_attribute("data-building")
        top_n = sum(1 for a in board["data"] if a["building"] == top)
        expect(page.locator('[data-testid="alert-row"]')).to_have_count(top_n)
        expect(groups.nth(0).get_by_test_id("group-p1")).to_have_text(f"P1 {top_n}")
        expect(groups.nth(0).get_by_test_id("group-incident")).to_be_visible()
        banner = page.get_by_test_id("flood-banner")
        expect(banner).to_be_visible(timeout=10000)
        expect(banner).to_contain_text("告警泛滥")
        shot(page, "flood-grouped")

        # Acknowledge the second building's group (collapsed), after the confirmation.
        target = groups.nth(1)
        building = target.get_attribute("data-building")
        assert building in BUILDINGS and building != top
        mine = {a["id"] for a in board["data"] if a["building"] == building}
        target.get_by_test_id("group-ack").click()
        target.get_by_test_id("group-ack-confirm").click()
        expect(target.get_by_test_id("group-result")).to_contain_text(f"已确认 {len(mine)} 条")
        expect(target.get_by_test_id("group-ack")).to_be_disabled()
        shot(page, "flood-acknowledged")

    after = room.call("GET", "/api/alerts?state=open&limit=5000", "operator")["data"]
    states = {a["id"]: a["state"] for a in after}
    assert {states[i] for i in mine} == {"acknowledged"}
    assert {s for i, s in states.items() if i not in mine} == {"open"}
    audit = room.call("GET", "/api/audit", "supervisor",
                      params={"action": "alert.ack", "limit": 1000})["data"]
    targets = [e["target"] for e in audit]
    assert sorted(targets) == sorted(f"alert:{i}" for i in mine)  # one entry each
    assert {e["actor"] for e in audit} == {"operator"}
