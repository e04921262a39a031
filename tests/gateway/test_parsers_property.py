"""Property tests: no input from a device or a panel line makes a parser raise anything but
its own named error, and nothing at all escapes the ingestor (it quarantines instead)."""

from __future__ import annotations

import contextlib
import json
import string
import sys
import time

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from config import load_site
from gateway.ingest import Ingestor
from gateway.messages import Inbound
from gateway.panel_events import interpret
from gateway.protocol import (
    EVENT_STATES,
    MAX_PAYLOAD,
    ProtocolError,
    parse_event,
    parse_state,
    parse_telemetry,
    parse_topic,
)
from gateway.quarantine import Quarantine
from gateway.sia import (
    FrameReader,
    SiaError,
    encode_frame,
    parse_contact_id,
    parse_frame,
    parse_message,
)
from gateway.valves import Valves

SITE = load_site()
DEVICE = "gas-1-1-0101"
NESTED = b"[" * MAX_PAYLOAD  # 1 KiB of nesting: deeper than Python's json recursion

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)
# Objects shaped like events: the contract's keys with any values, plus strays.
event_like = st.fixed_dictionaries(
    {}, optional={"seq": json_values | st.integers(), "boot": json_values | st.integers(),
                  "ts": json_values | st.integers(min_value=0),
                  "type": st.sampled_from(sorted(EVENT_STATES)) | st.text(max_size=8),
                  "state": st.sampled_from(sorted({s for v in EVENT_STATES.values()
                                                   for s in v})) | json_values,
                  "lel": json_values | st.floats(), "pct": json_values | st.integers(),
                  "code": json_values, "batt": json_values | st.integers(),
                  "rssi": json_values | st.integers(), "extra": json_values})
payloads = st.binary(max_size=MAX_PAYLOAD + 8) | event_like.map(
    lambda d: json.dumps(d, allow_nan=True).encode()) | json_values.map(
    lambda v: json.dumps(v).encode())


@given(payloads)
@example(NESTED)
@example(b"{" * 600)
def test_device_payloads_raise_only_protocol_errors(payload: bytes) -> None:
    for parse in (lambda p: parse_event(DEVICE, p), lambda p: parse_telemetry(DEVICE, p),
                  parse_state):
        with contextlib.suppress(ProtocolError):
            parse(payload)


@given(event_like)
def test_an_accepted_event_keeps_the_contract(obj: dict[str, object]) -> None:
    try:
        ev = parse_event(DEVICE, json.dumps(obj).encode())
    except ProtocolError:
        return
    assert ev.state in EVENT_STATES[ev.type]
    assert ev.seq >= 0 and ev.boot >= 0 and ev.ts >= 0
    assert ev.type != "gas" or (ev.lel is not None and 0 <= ev.lel <= 100)


topic_part = st.text(alphabet=string.ascii_letters + string.digits + "_-/+#$ é", max_size=70)
topics = st.one_of(
    topic_part,
    st.builds(lambda s, d, c: f"estate/v1/{s}/{d}/{c}",
              st.sampled_from([SITE.id, "elsewhere"]) | topic_part,
              st.sampled_from(sorted(SITE.devices)[:5]) | topic_part,
              st.sampled_from(["evt", "tel", "state", "ack", "cmd"]) | topic_part))


@given(topics)
def test_topics_raise_only_protocol_errors(name: str) -> None:
    with contextlib.suppress(ProtocolError):
        parse_topic(name)


@given(topics, payloads, st.integers(min_value=0, max_value=2))
@example(f"estate/v1/{SITE.id}/{DEVICE}/evt", NESTED, 1)
@example(f"estate/v1/{SITE.id}/{DEVICE}/ack", NESTED, 1)
def test_nothing_a_device_sends_stops_the_ingestor(topic: str, payload: bytes, qos: int
                                                   ) -> None:
    ing = Ingestor(SITE, Quarantine())
    p = ing.process(Inbound(topic, payload, qos, False, 1, time.time()))
    if p.heard and topic.endswith("/ack"):
        Valves(True).on_ack(p.heard, payload)  # what the worker does next with a result
    ing.take_health_report(with_last_seen=True)


@given(st.binary(max_size=600))
@example(b"\n")
@example(b"\nFFFF0000\r")
def test_frames_raise_only_sia_errors(raw: bytes) -> None:
    with contextlib.suppress(SiaError):
        parse_frame(raw)


@given(st.text(alphabet=string.printable, max_size=200))
@example('"ADM-CID"0001L0#2001[#2001|1151 01 001]_99:99:99,13-32-2026')
def test_messages_and_contact_id_raise_only_sia_errors(text: str) -> None:
    for parse in (parse_message, parse_contact_id):
        with contextlib.suppress(SiaError):
            parse(text)


@given(st.lists(st.binary(max_size=80), max_size=12))
def test_the_frame_reader_takes_any_stream(chunks: list[bytes]) -> None:
    reader = FrameReader()
    for chunk in chunks:
        for item in reader.feed(chunk):
            assert isinstance(item, SiaError) or item.raw.startswith(b"\n")


# Well-formed DC-09 frames whose fields are anything: header and Contact ID from pieces.
hexes = st.text(alphabet="0123456789ABCDEFabcdef", min_size=1, max_size=8)
cid_data = st.builds(lambda a, q, e, g, z: f"#{a}|{q}{e} {g} {z}",
                     st.sampled_from(["2001", "2002"]) | hexes, st.integers(0, 9),
                     st.sampled_from(["130", "151", "602", "301", "383"])
                     | st.text(alphabet=string.digits, min_size=3, max_size=3),
                     st.text(alphabet=string.digits, min_size=2, max_size=2),
                     st.sampled_from(["000", "001", "002", "999"]))
messages = st.builds(
    lambda tok, seq, acct, data, ts: f'"{tok}"{seq:04d}L0#{acct}[{data}]{ts}',
    st.sampled_from(["ADM-CID", "NULL", "SIA-DCS", "*ADM-CID"]), st.integers(0, 9999),
    st.sampled_from(["2001", "2002"]) | hexes, cid_data | st.text(max_size=20).filter(
        lambda s: "[" not in s and "]" not in s),
    st.sampled_from(["", "_10:00:00,11-22-2026", "_25:61:61,02-30-2026"]))


@given(messages, st.floats(min_value=0, max_value=4e9))
def test_any_well_formed_frame_is_interpreted_without_error(text: str, at: float) -> None:
    try:
        raw = encode_frame(text)
    except (ValueError, UnicodeEncodeError):
        return
    frame = parse_frame(raw)
    assert frame.message == text
    try:
        msg = parse_message(frame.message)
    except SiaError:
        return
    for panel in SITE.panels.values():
        out = interpret(msg, frame.crc, panel, at)
        assert out.reply in ("ack", "duh", "nak")
        assert all(s.device == panel.id for s in out.signals)


def test_a_kilobyte_of_nesting_is_bad_json_not_a_crash() -> None:
    # Hypothesis raises the recursion limit while it runs, which would hide this one: the
    # gateway runs with Python's default limit.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        for parse in (lambda p: parse_event(DEVICE, p), lambda p: parse_telemetry(DEVICE, p)):
            with pytest.raises(ProtocolError, match="bad_json"):
                parse(NESTED)
        assert Valves(True).on_ack(DEVICE, NESTED) is None
    finally:
        sys.setrecursionlimit(limit)
