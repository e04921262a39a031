import json

import pytest

from gateway.protocol import (
    MAX_PAYLOAD,
    ProtocolError,
    parse_event,
    parse_state,
    parse_telemetry,
    parse_topic,
)


def _evt(**fields: object) -> bytes:
    body: dict[str, object] = {"seq": 4711, "boot": 3, "ts": 1795000000123, "type": "gas",
                               "state": "alarm", "lel": 27.5}
    body.update(fields)
    return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()


def test_the_contract_example_event_parses() -> None:
    ev = parse_event("gas-1-2-1502", _evt())
    assert (ev.seq, ev.boot, ev.ts, ev.type, ev.state, ev.lel) == (
        4711, 3, 1795000000123, "gas", "alarm", 27.5)
    assert ev.key == "gas-1-2-1502:3:4711"


def test_topic_parts_are_checked() -> None:
    t = parse_topic("estate/v1/riverside/gas-1-2-1502/evt")
    assert (t.site, t.device, t.channel) == ("riverside", "gas-1-2-1502", "evt")
    for bad in ("estate/v2/riverside/d/evt", "estate/v1/riverside/d/evt/x",
                "estate/v1/river side/d/evt", "estate/v1/riverside/" + "d" * 65 + "/evt",
                "estate/v1/riverside/d/log"):
        with pytest.raises(ProtocolError):
            parse_topic(bad)


@pytest.mark.parametrize(("payload", "reason"), [
    (b"{not json", "bad_json"),
    (b"\xff\xfe", "bad_utf8"),
    (b"[1, 2]", "not_object"),
    (_evt(seq="1"), "wrong_type"),
    (_evt(seq=True), "wrong_type"),
    (_evt(seq=-1), "out_of_range"),
    (_evt(boot=...), "missing_field"),
    (_evt(type="smoke"), "unknown_type"),
    (_evt(state="pressed"), "unknown_state"),
    (_evt(lel=...), "missing_field"),
    (_evt(lel=150), "out_of_range"),
    (_evt(lel="high"), "wrong_type"),
    (_evt(type="battery", state="low", lel=..., pct=101), "out_of_range"),
    (_evt(type="fault", state="active", lel=...), "missing_field"),
    (b"{" + b'"pad": "' + b"x" * MAX_PAYLOAD + b'"}', "oversize"),
])
def test_a_malformed_event_is_refused_with_a_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError) as err:
        parse_event("d", payload)
    assert err.value.reason == reason


def test_every_documented_type_and_state_is_accepted() -> None:
    extra = {"gas": {"lel": 1.0}, "fault": {"code": "sensor"}, "battery": {"pct": 10}}
    for etype, states in {"gas": ["alarm", "prealarm", "normal"], "panic": ["pressed", "reset"],
                          "tamper": ["open", "closed"], "fault": ["active", "cleared"],
                          "battery": ["low", "ok"], "power": ["lost", "restored"],
                          "valve": ["closed", "open", "stuck"]}.items():
        for state in states:
            body = {"seq": 1, "boot": 1, "ts": 1, "type": etype, "state": state,
                    **extra.get(etype, {})}
            assert parse_event("d", json.dumps(body).encode()).state == state


def test_telemetry_takes_any_subset_of_measurements() -> None:
    tel = parse_telemetry("d", b'{"seq": 9, "boot": 3, "ts": 1795000000123, "batt": 87}')
    assert (tel.batt, tel.lel, tel.rssi) == (87, None, None)
    with pytest.raises(ProtocolError):
        parse_telemetry("d", b'{"seq": 9, "boot": 3, "ts": 1, "batt": "full"}')


def test_state_is_online_or_offline() -> None:
    assert parse_state(b"online") is True
    assert parse_state(b"offline") is False
    with pytest.raises(ProtocolError):
        parse_state(b"sleeping")
