from gateway.classify import Signal, classify
from gateway.protocol import Event


def _ev(etype: str, state: str, **kw: object) -> Event:
    return Event("d", 1, 1, 0, etype, state, **kw)  # type: ignore[arg-type]


def test_gas_alarm_is_critical() -> None:
    # Which priorities latch is the control room's rule (controlroom/alarms/rules.latches).
    [sig] = classify(_ev("gas", "alarm", lel=27.5), "gas_detector")
    assert sig == Signal("gas_alarm", 1, "active")


def test_gas_prealarm_is_urgent() -> None:
    assert classify(_ev("gas", "prealarm", lel=12.0), "gas_detector") == [
        Signal("gas_prealarm", 2, "active")]


def test_gas_back_to_normal_restores_alarm_and_prealarm() -> None:
    kinds = {(s.kind, s.condition) for s in classify(_ev("gas", "normal", lel=0.5),
                                                      "gas_detector")}
    assert kinds == {("gas_alarm", "restored"), ("gas_prealarm", "restored")}


def test_emergency_button_press_is_critical_and_reset_restores() -> None:
    assert classify(_ev("panic", "pressed"), "panic_button") == [Signal("panic", 1, "active")]
    assert classify(_ev("panic", "reset"), "panic_button") == [Signal("panic", 1, "restored")]


def test_a_fault_is_urgent_on_a_gas_detector_and_attention_elsewhere() -> None:
    assert classify(_ev("fault", "active", code="sensor"), "gas_detector")[0].priority == 2
    assert classify(_ev("fault", "active", code="sensor"), "panic_button")[0].priority == 3


def test_a_stuck_valve_is_an_urgent_fault_and_a_moving_valve_raises_nothing() -> None:
    assert classify(_ev("valve", "stuck"), "gas_detector") == [Signal("fault", 2, "active")]
    assert classify(_ev("valve", "closed"), "gas_detector") == []


def test_supply_and_interference_and_maintenance_priorities() -> None:
    assert classify(_ev("tamper", "open"), "panic_button")[0] == Signal("tamper", 3, "active")
    assert classify(_ev("power", "lost"), "gas_detector")[0] == Signal("power_loss", 3, "active")
    low = classify(_ev("battery", "low", pct=9), "panic_button")[0]
    assert low == Signal("battery_low", 4, "active")
