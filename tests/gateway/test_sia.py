"""The receiver's side of SIA DC-09 / Contact ID (ARCHITECTURE §5), with plain values:
framing, CRC, the ACK and NAK it writes, the frame reader on a noisy line, and what each
Contact ID event means for the control room (§5 mapping, §6 priorities)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from config import Panel
from gateway import sia
from gateway.panel_events import EVENT_KINDS, event_key, interpret

# The worked example of docs/protocol/dc09.md.
GAS_MSG = '"ADM-CID"0001R0L0#2001[#2001|1151 01 001]_14:03:00,06-01-2026'
GAS_FRAME = b'\n0BD7003D"ADM-CID"0001R0L0#2001[#2001|1151 01 001]_14:03:00,06-01-2026\r'
RESTORE_FRAME = b'\n18280029"ADM-CID"0002R0L0#2001[#2001|3151 01 001]\r'
TEST_REPORT_FRAME = b'\n0B0F0029"ADM-CID"0003R0L0#2001[#2001|1602 00 000]\r'
ACK_FRAME = b'\n6D8E0014"ACK"0001R0L0#2001[]\r'

PANEL = Panel("panel-2", "2", "2001", "sim",
              {"001": "2-1-0101", "002": "2-1-0102", "003": "2-1-0103", "004": "2-1-0104"},
              3600)
NOW = datetime(2026, 6, 1, 14, 3, 1, tzinfo=UTC).timestamp()


def cid(q: int, event: int, zone: str = "001", *, seq: int = 7, account: str = "2001",
        group: str = "01", ts: str | None = None, receiver: str | None = "0") -> sia.Message:
    r = f"R{receiver}" if receiver is not None else ""
    text = (f'"ADM-CID"{seq:04d}{r}L0#{account}[#{account}|{q}{event:03d} {group} {zone}]'
            + (f"_{ts}" if ts else ""))
    return sia.parse_message(text)


def reason_of(parse: Callable[[Any], object], value: object) -> str:
    """The reason tag of the SiaError that parsing `value` raises."""
    with pytest.raises(sia.SiaError) as exc:
        parse(value)
    return exc.value.reason


# --- CRC and frames ------------------------------------------------------------------------


def test_crc16_arc_check_value() -> None:
    assert sia.crc16_arc(b"123456789") == 0xBB3D
    assert sia.crc16_arc(b"") == 0
    assert sia.crc16_arc(GAS_MSG.encode()) == 0x0BD7


def test_the_worked_examples_parse() -> None:
    f = sia.parse_frame(GAS_FRAME)
    assert (f.crc, f.message, f.raw) == (0x0BD7, GAS_MSG, GAS_FRAME)
    m = sia.parse_message(f.message)
    assert (m.token, m.seq, m.receiver, m.line, m.account) == ("ADM-CID", "0001", "0", "0",
                                                                "2001")
    assert m.data == "#2001|1151 01 001"
    assert m.timestamp_text == "14:03:00,06-01-2026"
    assert m.timestamp == datetime(2026, 6, 1, 14, 3, 0, tzinfo=UTC)
    assert sia.parse_contact_id(m.data) == sia.ContactId("2001", 1, 151, "01", "001")
    r = sia.parse_message(sia.parse_frame(RESTORE_FRAME).message)
    assert (r.seq, r.timestamp, r.timestamp_text) == ("0002", None, None)
    assert sia.parse_contact_id(r.data).qualifier == 3
    t = sia.parse_contact_id(sia.parse_message(sia.parse_frame(TEST_REPORT_FRAME).message).data)
    assert (t.event, t.group, t.zone) == (602, "00", "000")


def test_encode_frame_round_trips() -> None:
    assert sia.encode_frame(GAS_MSG) == GAS_FRAME
    assert sia.parse_frame(GAS_FRAME[1:-1]).message == GAS_MSG  # delimiters optional
    with pytest.raises(ValueError):
        sia.encode_frame("a\rb")
    with pytest.raises(ValueError):
        sia.encode_frame("x" * 0x1000)


def test_a_bad_crc_is_caught() -> None:
    bad = b"\n" + b"F428" + GAS_FRAME[5:]  # every bit of 0BD7 flipped
    with pytest.raises(sia.SiaError) as exc:
        sia.parse_frame(bad)
    assert exc.value.reason == "bad_crc"
    assert exc.value.raw == bad
    # one flipped bit in the message is caught the same way
    flipped = GAS_FRAME.replace(b"1151", b"1150")
    assert reason_of(sia.parse_frame, flipped) == "bad_crc"


def test_a_bad_length_is_caught_even_with_a_right_crc() -> None:
    bad = GAS_FRAME[:5] + b"003E" + GAS_FRAME[9:]  # one more than the 0x3D bytes it has
    assert reason_of(sia.parse_frame, bad) == "bad_length"
    truncated = GAS_FRAME[:40] + b"\r"  # bytes lost on the line
    assert reason_of(sia.parse_frame, truncated) == "bad_length"


@pytest.mark.parametrize("raw", [
    b"\n0BD7\r",  # too short
    b"\n0bd7003D" + GAS_MSG.encode() + b"\r",  # lowercase CRC: the contract says uppercase
    b"\nZZZZ003D" + GAS_MSG.encode() + b"\r",
    b"\n0BD7103D" + GAS_MSG.encode() + b"\r",  # length field must start with 0
])
def test_not_a_frame_is_bad_format(raw: bytes) -> None:
    assert reason_of(sia.parse_frame, raw) == "bad_format"


@pytest.mark.parametrize("text", [
    '"ADM-CID"001R0L0#2001[#2001|1151 01 001]',  # 3-digit sequence
    '"ADM-CID"0001R0#2001[#2001|1151 01 001]',  # no line prefix
    '"ADM-CID"0001R0L0#20[#2001|1151 01 001]',  # account too short
    '"ADM-CID"0001R0L0#2001[#2001|1151 01 001',  # no closing bracket
    '"ADM-CID"0001R0L0#2001[#2001|1151 01 001]_14:03,06-01-2026',
    'ADM-CID0001R0L0#2001[#2001|1151 01 001]',  # token not quoted
])
def test_unreadable_messages(text: str) -> None:
    assert reason_of(sia.parse_message, text) == "bad_format"


def test_message_header_variants() -> None:
    m = sia.parse_message('"ADM-CID"9999L1A#00ABCDEF[#00ABCDEF|6120 02 004]')
    assert (m.seq, m.receiver, m.line, m.account) == ("9999", None, "1A", "00ABCDEF")
    m = sia.parse_message('"ADM-CID"0042R12345FL3#2001[#2001|1151 01 001]')
    assert (m.receiver, m.line) == ("12345F", "3")
    # a timestamp that is no real date: the text is kept (for the key), the time is not
    m = sia.parse_message('"ADM-CID"0001R0L0#2001[#2001|1151 01 001]_25:00:00,13-40-2026')
    assert (m.timestamp_text, m.timestamp) == ("25:00:00,13-40-2026", None)


@pytest.mark.parametrize("data", ["#2001|1151 01 01", "#2001|1151 1 001", "#2001|115101001",
                                  "2001|1151 01 001", "#2001|1151 01 001 ", ""])
def test_not_contact_id_data(data: str) -> None:
    assert reason_of(sia.parse_contact_id, data) == "bad_format"


# --- answers -------------------------------------------------------------------------------


def test_ack_echoes_sequence_receiver_line_and_account() -> None:
    m = sia.parse_message(GAS_MSG)
    assert sia.ack_message(m) == '"ACK"0001R0L0#2001[]'
    assert sia.ack_frame(m) == ACK_FRAME  # docs/protocol/dc09.md, byte for byte
    other = sia.parse_message('"ADM-CID"0815L2A#ABC123[#ABC123|1120 01 002]_01:02:03,01-02-2026')
    assert sia.ack_message(other) == '"ACK"0815L2A#ABC123[]'  # no receiver: none echoed
    assert sia.duh_frame(m) == sia.encode_frame('"DUH"0001R0L0#2001[]')


def test_ack_is_what_an_independent_receiver_answers() -> None:
    """pysiaalarm's receiver as the oracle for the ACK bytes."""
    from pysiaalarm import SIAAccount
    from pysiaalarm.base_server import BaseSIAServer
    from pysiaalarm.utils import Counter

    server = BaseSIAServer(accounts={"2001": SIAAccount("2001", allowed_timeband=None)},
                           counts=Counter())
    event = server.parse_and_check_event(RESTORE_FRAME)
    assert event is not None
    assert event.create_response() == sia.ack_frame(
        sia.parse_message(sia.parse_frame(RESTORE_FRAME).message))


def test_nak_is_the_dc09_form_with_the_receivers_time() -> None:
    at = datetime(2026, 6, 1, 14, 3, 1, tzinfo=UTC)
    assert sia.nak_message(at) == '"NAK"0000R0L0A0[]_14:03:01,06-01-2026'
    frame = sia.nak_frame(at)
    assert sia.parse_frame(frame).message == '"NAK"0000R0L0A0[]_14:03:01,06-01-2026'
    assert frame[5:9] == b"0025"


# --- the frame reader ------------------------------------------------------------------------


def test_reader_finds_frames_in_noise_and_across_reads() -> None:
    r = sia.FrameReader()
    stream = b"\x00\xffnoise" + GAS_FRAME + b"junk\r" + RESTORE_FRAME + b"\n\r" + TEST_REPORT_FRAME
    got: list[sia.Frame | sia.SiaError] = []
    for i in range(len(stream)):  # one byte at a time: every frame is partial at some point
        got += r.feed(stream[i:i + 1])
    assert [g.message for g in got if isinstance(g, sia.Frame)] == [
        GAS_MSG, sia.parse_frame(RESTORE_FRAME).message,
        sia.parse_frame(TEST_REPORT_FRAME).message]
    assert all(isinstance(g, sia.Frame) for g in got)
    assert r.noise == len(b"\x00\xffnoise") + len(b"junk\r") + 2


def test_reader_returns_damaged_frames_as_errors_and_keeps_going() -> None:
    r = sia.FrameReader()
    bad_crc = b"\nF428" + GAS_FRAME[5:]
    got = r.feed(bad_crc + b"\n0000" + GAS_FRAME)  # a cut-off frame, restarted by an LF
    assert isinstance(got[0], sia.SiaError) and got[0].reason == "bad_crc"
    assert got[0].raw == bad_crc
    assert isinstance(got[1], sia.Frame) and got[1].message == GAS_MSG
    assert len(got) == 2 and r.noise == 5


def test_reader_drops_an_endless_frame_and_recovers() -> None:
    r = sia.FrameReader()
    assert r.feed(b"\n" + b"A" * (sia.MAX_FRAME + 10)) == []
    assert r.noise > sia.MAX_FRAME
    [f] = r.feed(GAS_FRAME)
    assert isinstance(f, sia.Frame)
    # the longest legal frame still fits
    longest = sia.encode_frame('"NULL"0001L0#2001[' + "x" * (sia.MAX_MESSAGE - 19) + "]")
    assert len(longest) == sia.MAX_FRAME
    [f] = sia.FrameReader().feed(longest)
    assert isinstance(f, sia.Frame)


# --- Contact ID -> alert signals -------------------------------------------------------------

MAPPING = [
    (151, "gas_alarm", 1), (120, "panic", 1), (121, "panic", 1), (122, "panic", 1),
    (100, "medical", 1), (101, "medical", 1), (110, "fire", 1),
    (383, "tamper", 3), (137, "tamper", 3),
    (380, "fault", 2), (373, "fault", 2),  # trouble on the gas-detection panel: urgent
    (302, "battery_low", 4), (384, "battery_low", 4), (301, "power_loss", 3),
]


@pytest.mark.parametrize(("code", "kind", "priority"), MAPPING)
def test_mapping(code: int, kind: str, priority: int) -> None:
    out = interpret(cid(1, code, "002"), 0x1234, PANEL, NOW)
    assert (out.reply, out.from_panel, out.rejection) == ("ack", True, None)
    [s] = out.signals
    assert (s.device, s.zone, s.kind, s.priority, s.condition) == (
        "panel-2", "002", kind, priority, "active")
    assert s.detail["event"] == f"{code:03d}"
    assert s.observed_at == "2026-06-01T14:03:01+00:00"  # the gateway's clock


def test_the_mapping_is_the_contracts() -> None:
    assert {c: k for c, k, _ in MAPPING} | {602: None} == EVENT_KINDS


def test_qualifiers() -> None:
    assert interpret(cid(3, 151), 1, PANEL, NOW).signals[0].condition == "restored"
    still = interpret(cid(6, 151), 1, PANEL, NOW).signals[0]
    assert (still.kind, still.condition) == ("gas_alarm", "active")  # a repeat
    bad = interpret(cid(2, 151), 1, PANEL, NOW)
    assert (bad.reply, bad.signals, bad.rejection and bad.rejection.reason) == (
        "ack", [], "bad_qualifier")


def test_test_report_is_a_heartbeat_not_an_alert() -> None:
    out = interpret(cid(1, 602, "000", group="00"), 1, PANEL, NOW)
    assert (out.reply, out.from_panel, out.signals, out.rejection) == ("ack", True, [], None)


def test_zone_000_is_the_panel_itself() -> None:
    [s] = interpret(cid(1, 301, "000"), 1, PANEL, NOW).signals
    assert (s.kind, s.device, s.zone, s.priority) == ("power_loss", "panel-2", None, 3)


def test_a_zone_not_wired_to_a_flat_is_quarantined_never_alerted() -> None:
    out = interpret(cid(1, 151, "005"), 1, PANEL, NOW)
    assert (out.reply, out.from_panel, out.signals) == ("ack", True, [])
    assert out.rejection is not None and out.rejection.reason == "unknown_zone"


@pytest.mark.parametrize("account", ["2002", "ABC"])
def test_an_unknown_account_is_acked_quarantined_and_not_the_panels_heartbeat(
        account: str) -> None:
    out = interpret(cid(1, 151, account=account), 1, PANEL, NOW)
    assert (out.reply, out.from_panel, out.signals) == ("ack", False, [])
    assert out.rejection is not None and out.rejection.reason == "unknown_account"
    # the data's account must be the panel's too
    mixed = sia.parse_message('"ADM-CID"0001R0L0#2001[#2002|1151 01 001]')
    assert interpret(mixed, 1, PANEL, NOW).rejection.reason == "unknown_account"  # type: ignore[union-attr]


def test_unknown_codes_tokens_and_data() -> None:
    out = interpret(cid(1, 130), 1, PANEL, NOW)  # burglary: not in the contract
    assert (out.reply, out.signals, out.rejection and out.rejection.reason) == (
        "ack", [], "unknown_event")
    dcs = sia.parse_message('"SIA-DCS"0001R0L0#2001[#2001|NFA01]')
    assert interpret(dcs, 1, PANEL, NOW).reply == "duh"
    enc = sia.parse_message('"*ADM-CID"0001R0L0#2001[0A1B2C]')
    assert enc.encrypted and interpret(enc, 1, PANEL, NOW).reply == "duh"
    garbled = sia.parse_message('"ADM-CID"0001R0L0#2001[#2001|1151-01-001]')
    out = interpret(garbled, 1, PANEL, NOW)
    assert (out.reply, out.from_panel, out.rejection and out.rejection.reason) == (
        "duh", False, "bad_format")
    null = interpret(sia.parse_message('"NULL"0001R0L0#2001[]'), 1, PANEL, NOW)
    assert (null.reply, null.from_panel, null.signals) == ("ack", True, [])


def test_idempotency_key() -> None:
    ts = "14:03:00,06-01-2026"
    first = interpret(cid(1, 151, ts=ts), 0x0BD7, PANEL, NOW).signals[0]
    again = interpret(cid(1, 151, ts=ts), 0x0BD7, PANEL, NOW + 6).signals[0]  # retransmitted
    assert first.key == again.key == "panel-2:0007:0BD7:14:03:00,06-01-2026/gas_alarm"
    # the same sequence after a wrap, same event, another time: another key
    wrapped = interpret(cid(1, 151, ts="14:20:00,06-01-2026"), 0x1111, PANEL, NOW + 1000)
    assert wrapped.signals[0].key != first.key
    # without a timestamp, frames a wrap apart (minutes at least) still get distinct keys
    m = cid(1, 151)
    assert event_key("panel-2", m, 0x0BD7, NOW) != event_key("panel-2", m, 0x0BD7, NOW + 500)
    assert event_key("panel-2", m, 0x0BD7, 1_800_000_000.0) == event_key(
        "panel-2", m, 0x0BD7, 1_800_000_008.0)
