"""Action plans for every priority-1 kind in the console (issue 17, acceptance 1): a fire alarm
and a building incident each show their plan; the incident's roll lists the building's flats and
is ticked flat by flat; a drill on a building records each step's time and appears in the
walk-test/drill report of the test-mode view. Screenshots in var/test-artifacts/."""

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


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cb.Room]:
    with cb.run_controlroom(tmp_path_factory.mktemp("plans"), cb.free_port()) as r:
        yield cb.Room(r)


def _raise(room: cb.Room, key: str, device: str, kind: str, zone: str | None = None
           ) -> dict[str, Any]:
    body: dict[str, Any] = {"key": key, "device": device, "kind": kind, "priority": 1,
                            "condition": "active", "observed_at": datetime.now(UTC).isoformat()}
    if zone:
        body["zone"] = zone
    return room.call("POST", "/api/gateway/signals", "gateway", json=body)["alert"]  # type: ignore[no-any-return]


def test_fire_and_incident_plans_and_the_roll(browser: Any, room: cb.Room) -> None:
    fire = _raise(room, "plans:fire", "panel-2", "fire", zone="001")
    _raise(room, "plans:gas1", "gas-2-1-0101", "gas_alarm")
    _raise(room, "plans:gas2", "gas-2-1-0102", "gas_alarm")
    [incident] = room.call("GET", "/api/alerts?state=open&kind=incident", "operator")["data"]
    assert incident["building"] == "2"
    flats = [u.id for u in SITE.units.values() if u.building == "2"]
    with cb.open_page(browser, room.url, height=1400) as page:
        cb.sign_in(page)
        cb.wait_for_live_board(page)
        cb.alert_row(page, fire["id"]).click()
        plan = page.get_by_test_id("plan-list")
        expect(plan.get_by_test_id("plan-step")).to_have_count(len(SITE.plans["fire"].steps))
        expect(plan).to_contain_text("119")
        cb.shot(page, "plan-fire")

        cb.alert_row(page, incident["id"]).click()
        expect(page.get_by_test_id("plan-list").get_by_test_id("plan-step")).to_have_count(
            len(SITE.plans["incident"].steps))
        expect(page.get_by_test_id("plan-list")).to_contain_text("疏散")  # the evacuation step
        roll = page.get_by_test_id("roll-section")
        expect(roll.get_by_test_id("roll-flat")).to_have_count(len(flats))
        expect(roll.get_by_test_id("roll-progress")).to_contain_text(f"0 / {len(flats)}")
        for n, unit in enumerate(flats[:3], start=1):
            flat = roll.locator(f'[data-testid="roll-flat"][data-unit="{unit}"]')
            flat.click()
            expect(flat).to_have_attribute("data-reached", "true")
            expect(roll.get_by_test_id("roll-progress")).to_contain_text(f"{n} / {len(flats)}")
        page.get_by_test_id("plan-list").get_by_test_id("plan-tick").first.click()
        expect(page.get_by_test_id("plan-list").get_by_test_id("plan-step").first
               ).to_have_attribute("data-ticked", "true")
        cb.shot(page, "plan-incident-roll")
    stored = room.call("GET", f"/api/alerts/{incident['id']}/roll", "operator")
    assert stored["reached"] == 3
    assert {f["unit"] for f in stored["flats"] if f["reached"]} == set(flats[:3])
    history = room.call("GET", f"/api/alerts/{incident['id']}", "operator")["history"]
    assert [h["note"] for h in history if h["action"] == "roll"] == [
        f"roll: {u} reached" for u in flats[:3]]


def test_a_drill_records_step_times_in_the_report(browser: Any, room: cb.Room) -> None:
    with cb.open_page(browser, room.url, height=1400) as page:
        view = cb.open_view(page, "testmode", "supervisor")
        view.get_by_test_id("drill-building").fill("1")
        view.get_by_test_id("drill-kind").select_option("incident")
        view.get_by_test_id("drill-note").fill("spring evacuation drill")
        view.get_by_test_id("drill-submit").click()
        report = view.get_by_test_id("drill-report").first
        expect(report).to_be_visible()
        drill_alert = int(report.get_attribute("data-alert-id") or 0)
        # The operators run the plan on the drill's test alert.
        for step in (1, 2, 3):
            room.call("POST", f"/api/alerts/{drill_alert}/plan/{step}/tick", "operator")
        room.call("POST", f"/api/alerts/{drill_alert}/roll/1-1-0101", "operator",
                  json={"reached": True})
        drill = room.call("GET", "/api/drills", "supervisor")["data"][0]
        took = [st["took_s"] for st in drill["steps"]]
        assert all(s is not None and s >= 0 for s in took[:3]) and took[3:] == [None] * (
            len(took) - 3)
        page.get_by_test_id("view-tab-kpis").click()
        page.get_by_test_id("view-tab-testmode").click()
        report = view.get_by_test_id("drill-report").first
        steps = report.get_by_test_id("drill-step")
        expect(steps).to_have_count(len(SITE.plans["incident"].steps))
        for n in (1, 2, 3):
            expect(steps.nth(n - 1)).to_have_attribute("data-took", str(took[n - 1]))
            expect(steps.nth(n - 1).get_by_test_id("drill-took")).not_to_have_text("—")
        expect(steps.nth(3).get_by_test_id("drill-took")).to_have_text("—")
        expect(report.get_by_test_id("drill-roll")).to_contain_text("1 /")
        cb.shot(page, "drill-report")
    alert = room.call("GET", f"/api/alerts/{drill_alert}", "operator")
    assert (alert["test"], alert["kind"], alert["building"]) == (True, "incident", "1")
