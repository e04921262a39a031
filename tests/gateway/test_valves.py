import json

from gateway.messages import SignalOut
from gateway.valves import CONFIRM_WITHIN_S, Valves


def _gas(device: str = "gas-1-1-0101", condition: str = "active") -> SignalOut:
    return SignalOut(f"{device}:1:1/gas_alarm", device, "gas_alarm", 1, condition, "t")


def test_a_gas_alarm_closes_the_valve_once_when_the_site_enables_it() -> None:
    v = Valves(enabled=True)
    cmd = v.on_signal(_gas(), "gas_detector", 100.0)
    assert cmd is not None and cmd.device == "gas-1-1-0101"
    assert json.loads(cmd.payload) == {"id": cmd.id, "cmd": "valve_close", "ts": 100000}
    assert v.on_signal(_gas(), "gas_detector", 101.0) is None  # already closing
    assert Valves(enabled=False).on_signal(_gas(), "gas_detector", 1.0) is None
    assert v.on_signal(_gas("gas-1-1-0102", "restored"), "gas_detector", 1.0) is None


def test_the_valves_answer_is_recorded_confirmed_or_refused() -> None:
    v = Valves(enabled=True)
    cmd = v.on_signal(_gas(), "gas_detector", 0.0)
    assert cmd is not None
    ok = v.on_ack("gas-1-1-0101", json.dumps({"id": cmd.id, "ok": True}).encode())
    assert ok is not None and ok.detail == {"valve": "closed_confirmed"}
    cmd2 = v.on_signal(_gas(), "gas_detector", 1.0)
    assert cmd2 is not None
    bad = v.on_ack("gas-1-1-0101", json.dumps({"id": cmd2.id, "ok": False,
                                                "error": "valve stuck"}).encode())
    assert bad is not None and bad.detail == {"valve": "failed", "valve_error": "valve stuck"}
    assert v.on_ack("gas-1-1-0101", b"{junk") is None


def test_a_silent_valve_is_reported_after_the_confirmation_window() -> None:
    v = Valves(enabled=True)
    v.on_signal(_gas(), "gas_detector", 0.0)
    assert v.expire(CONFIRM_WITHIN_S - 1) == []
    [note] = v.expire(CONFIRM_WITHIN_S + 1)
    assert note.detail == {"valve": "no_confirmation"}
    assert v.expire(100.0) == []


def test_a_panels_gas_zone_closes_its_flats_valve_and_a_detector_on_test_none() -> None:
    from config import load_site
    from gateway.valves import valve_for

    site = load_site()
    panel = site.panels["panel-2"]
    unit = panel.zones["001"]
    detector = min(d.id for d in site.devices.values()
                   if d.unit == unit and d.kind == "gas_detector")
    sig = SignalOut("k", "panel-2", "gas_alarm", 1, "active", "2026-06-01T00:00:00+00:00",
                    zone="001")
    assert valve_for(site, sig) == detector
    assert valve_for(site, SignalOut("k", "panel-2", "gas_alarm", 1, "active", "t")) is None
    assert valve_for(site, SignalOut("k", "panel-2", "gas_alarm", 1, "active", "t",
                                     zone="999")) is None
    v = Valves(enabled=True)
    cmd = v.close_for(sig, detector, 5.0)
    assert cmd is not None and cmd.device == detector
    note = v.on_ack(detector, b'{"id": "%s", "ok": true}' % cmd.id.encode())
    assert note is not None and (note.device, note.kind) == ("panel-2", "gas_alarm")
    # on test: no command, for the detector or for the panel's zone
    assert Valves(enabled=True).close_for(_gas(), "gas-1-1-0101", 1.0,
                                          frozenset({"gas-1-1-0101"})) is None
    assert Valves(enabled=True).close_for(sig, detector, 1.0, frozenset({detector})) is None
    assert Valves(enabled=True).close_for(_gas(), "gas-1-1-0101", 1.0,
                                          frozenset({"other"})) is not None
