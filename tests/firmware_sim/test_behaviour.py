import random

from firmware_sim.behaviour import ALARM_LEL, Battery, GasDetector, Latch, PanicButton


def test_gas_rising_reports_prealarm_then_alarm_once_each() -> None:
    g = GasDetector()
    reports = [r for lel in (2, 5, 11, 15, 24, 26, 30, 40) for r in g.set_level(lel)]
    assert [(t, s) for t, s, _ in reports] == [("gas", "prealarm"), ("gas", "alarm")]
    assert reports[1][2] == {"lel": 26.0}


def test_gas_hovering_at_a_threshold_does_not_chatter() -> None:
    g = GasDetector()
    g.set_level(26)
    assert [r for lel in (24.5, 25.5, 23.5, 25.1, 24) for r in g.set_level(lel)] == []
    assert g.set_level(22) == [("gas", "prealarm", {"lel": 22.0})]
    assert [r for lel in (9, 10.5, 8.5) for r in g.set_level(lel)] == []
    assert g.set_level(7.9) == [("gas", "normal", {"lel": 7.9})]


def test_sensor_readings_have_noise_and_bounded_drift() -> None:
    g = GasDetector(rng=random.Random(7))
    g.set_level(5.0)
    readings = [g.reading() for _ in range(500)]
    assert len(set(readings)) > 5
    assert all(3.0 < r < 7.0 for r in readings)


def test_valve_obeys_and_a_stuck_valve_refuses() -> None:
    g = GasDetector()
    assert g.command("valve_close") == (True, None, [("valve", "closed", {})])
    assert g.command("valve_close") == (True, None, [])
    g.valve_stuck = True
    ok, error, reports = g.command("valve_open")
    assert (ok, error, reports) == (False, "valve stuck", [("valve", "stuck", {})])


def test_self_test_is_a_short_test_alarm_and_back() -> None:
    ok, _, reports = GasDetector().command("self_test")
    assert ok and [(t, s) for t, s, _ in reports] == [("gas", "alarm"), ("gas", "normal")]
    assert reports[0][2]["lel"] == ALARM_LEL


def test_a_held_or_repeated_press_is_one_event() -> None:
    b = PanicButton()
    assert b.press() == [("panic", "pressed", {})]
    assert b.press() == [] and b.press() == []
    assert b.reset() == [("panic", "reset", {})]
    assert b.reset() == []
    assert b.command("valve_close")[0] is False


def test_battery_reports_low_once_and_ok_when_replaced() -> None:
    bat = Battery()
    assert bat.drain(50) == []
    assert bat.drain(35) == [("battery", "low", {"pct": 15})]
    assert bat.drain(5) == []
    assert bat.replace() == [("battery", "ok", {"pct": 100})]


def test_a_cleared_fault_repeats_its_code() -> None:
    fault = Latch("fault", "active", "cleared")
    assert fault.set(True, code="valve") == [("fault", "active", {"code": "valve"})]
    assert fault.set(True, code="valve") == []
    assert fault.set(False) == [("fault", "cleared", {"code": "valve"})]
