"""The alert engine end to end, one test per behaviour: simulated devices on a real
mosquitto, the gateway and the control room as processes. Valve closing, building incidents,
flapping, the flood meter, test mode and escalation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.sites import small_site_text, write_site
from tests.support.stack import MOSQUITTO, Stack
from tests.utils import wait_until

pytestmark = [pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]
WAIT_S = 60.0  # a simulator command's effect on the board, on a loaded machine


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("engine")
    # 3 floors x 4 flats, one entrance: flats 1-1-0101 .. 1-1-0304.
    site = write_site(tmp, small_site_text("testsite", floors=3, flats=4, auto_valve=True))
    s = Stack(tmp, "mosquitto", site)
    try:
        s.start_all()
        s.wait_sim_online()
        yield s
    finally:
        s.group.stop_all()


@pytest.fixture(scope="module")
def op(stack: Stack) -> str:
    return stack.token("operator", "operator123")


def _one(stack: Stack, op: str, kind: str, **match: object) -> dict[str, object] | None:
    for a in stack.alerts(op, state="open", kind=kind):
        if all(a.get(k) == v for k, v in match.items()):
            return a
    return None


def test_a_gas_alarm_closes_the_flats_valve_and_the_alert_records_the_confirmation(
        stack: Stack, op: str) -> None:
    stack.sim("gas", "--unit", "1-1-0101", "--lel", "30")
    alert = wait_until("the valve's confirmation on the alert", lambda: (
        a := _one(stack, op, "gas_alarm", unit="1-1-0101")) and a["detail"].get("valve")  # type: ignore[union-attr]
        and a, WAIT_S)
    assert alert["detail"]["valve"] == "closed_confirmed"  # type: ignore[index]


def test_a_stuck_valve_is_recorded_as_failed(stack: Stack, op: str) -> None:
    stack.sim("valve", "--unit", "1-1-0302")
    stack.sim("gas", "--unit", "1-1-0302", "--lel", "40")
    alert = wait_until("the valve's refusal on the alert", lambda: (
        a := _one(stack, op, "gas_alarm", unit="1-1-0302")) and a["detail"].get("valve")  # type: ignore[union-attr]
        and a, WAIT_S)
    assert alert["detail"]["valve"] == "failed"  # type: ignore[index]
    assert alert["detail"]["valve_error"] == "valve stuck"  # type: ignore[index]


def test_gas_alarms_in_two_flats_of_a_building_raise_one_incident(stack: Stack, op: str
                                                                  ) -> None:
    stack.sim("gas", "--unit", "1-1-0201", "--lel", "35")
    incident = wait_until("the building incident", lambda: (
        i := _one(stack, op, "incident", building="1")) and "1-1-0201" in i["detail"]["units"]  # type: ignore[index,operator]
        and i, WAIT_S)
    assert incident["priority"] == 1 and incident["unit"] is None
    assert set(incident["detail"]["units"]) >= {"1-1-0101", "1-1-0201"}  # type: ignore[index]
    assert len([a for a in stack.alerts(op, state="open", kind="incident")]) == 1


def test_a_chattering_tamper_switch_is_one_flapping_alert(stack: Stack, op: str) -> None:
    for _ in range(5):
        stack.sim("tamper", "--unit", "1-1-0104", "--kind", "btn")
        stack.sim("tamper", "--unit", "1-1-0104", "--kind", "btn", "--close")
    alert = wait_until("one flapping tamper alert", lambda: (
        a := _one(stack, op, "tamper", device="btn-1-1-0104")) and a["detail"].get("flapping")  # type: ignore[union-attr]
        and a, WAIT_S)
    assert alert["occurrences"] >= 4  # type: ignore[operator]
    assert len([a for a in stack.alerts(op, state="open", kind="tamper")]) == 1


def test_the_flood_meter_counts_what_was_raised(stack: Stack, op: str) -> None:
    raised = len([a for a in stack.alerts(op) if not a["test"]])
    r = httpx.get(f"{stack.api_url}/api/kpis/flood", headers={"Authorization": f"Bearer {op}"})
    body = r.json()
    assert body["window_minutes"] == 10 and body["threshold"] == 10
    assert body["current"] == raised
    assert body["flood"] is (raised > 10)


def test_a_flat_on_test_reports_apart_and_feeds_the_walk_test(stack: Stack, op: str) -> None:
    maint = stack.token("maintenance", "maintenance123")
    w = httpx.post(f"{stack.api_url}/api/test-mode", headers={"Authorization": f"Bearer {maint}"},
                   json={"scope": "unit", "target": "1-1-0303", "minutes": 5,
                         "reason": "button replaced"}).json()
    stack.sim("press", "--unit", "1-1-0303")
    wait_until("the test alert", lambda: [a for a in stack.alerts(op, test="true")
                                          if a["device"] == "btn-1-1-0303"], WAIT_S)
    assert not [a for a in stack.alerts(op, test="false") if a["device"] == "btn-1-1-0303"]
    report = httpx.get(f"{stack.api_url}/api/test-mode/{w['id']}/report?kind=panic_button",
                       headers={"Authorization": f"Bearer {op}"}).json()
    assert (report["reported"], report["silent"]) == (1, [])


def test_an_unacknowledged_emergency_press_escalates_at_30_seconds(stack: Stack, op: str
                                                                    ) -> None:
    stack.sim("press", "--unit", "1-1-0204")
    alert = wait_until("the escalation", lambda: (
        a := _one(stack, op, "panic", device="btn-1-1-0204")) and a["escalation"] >= 1 and a,  # type: ignore[operator]
        45)
    from datetime import datetime

    raised = datetime.fromisoformat(str(alert["raised_at"]).replace("Z", "+00:00"))
    updated = datetime.fromisoformat(str(alert["updated_at"]).replace("Z", "+00:00"))
    assert 30 <= (updated - raised).total_seconds() < 40
