"""The simulated wired alarm panel (ARCHITECTURE §5): DC-09 / Contact ID framing, conformance
with an independent receiver implementation (pysiaalarm), and the panel on a pty read with
pyserial exactly as the gateway reads a real port."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import serial
from pysiaalarm import SIAAccount
from pysiaalarm.base_server import BaseSIAServer
from pysiaalarm.event import SIAEvent
from pysiaalarm.utils import ADM_MAPPING, Counter, ResponseType

from config import Panel, load_site
from firmware_sim import dc09
from firmware_sim.panel import EVENTS, SimPanel

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "2001"
PANEL = Panel("panel-t", "2", ACCOUNT, "sim", {"001": "2-1-0101", "002": "2-1-0102"}, 3600)
ALL_CODES = sorted(c for c in dc09.CONDITION_OF if c != dc09.TEST_REPORT)
FAST = 0.3  # ack timeout of the serial tests, seconds


# --- pysiaalarm as the oracle -------------------------------------------------------------------


def siaa_server(timeband: tuple[int, int] | None = (40, 20)) -> BaseSIAServer:
    """pysiaalarm's receiver logic without its socket: `parse_and_check_event(bytes)` is what
    its TCP/UDP servers call for every line they receive."""
    accounts = {ACCOUNT: SIAAccount(ACCOUNT, allowed_timeband=timeband)}
    return BaseSIAServer(accounts=accounts, counts=Counter())


def siaa_parse(frame: bytes, timeband: tuple[int, int] | None = (40, 20)) -> SIAEvent:
    event = siaa_server(timeband).parse_and_check_event(frame)
    assert isinstance(event, SIAEvent), f"pysiaalarm could not parse {frame!r}: {event!r}"
    return event


# --- pure framing ---------------------------------------------------------------------------------


def test_crc16_arc_known_vector() -> None:
    assert dc09.crc16_arc(b"123456789") == 0xBB3D
    assert dc09.crc16_arc(b"") == 0


def test_worked_example_of_the_docs() -> None:
    msg = dc09.cid_message(1, "0", "0", ACCOUNT, 1, 151, 1, 1, datetime(2026, 6, 1, 14, 3, 0))
    assert msg == '"ADM-CID"0001R0L0#2001[#2001|1151 01 001]_14:03:00,06-01-2026'
    frame = dc09.encode_frame(msg)
    assert frame == b'\n0BD7003D"ADM-CID"0001R0L0#2001[#2001|1151 01 001]_14:03:00,06-01-2026\r'
    assert (ROOT / "docs/protocol/dc09.md").read_text(encoding="utf-8").count(
        "0BD7003D") >= 1, "the worked example in docs/protocol/dc09.md is out of date"
    assert dc09.encode_frame(dc09.ack_message(1, "0", "0", ACCOUNT)) == \
        b'\n6D8E0014"ACK"0001R0L0#2001[]\r'


def test_timestamps_are_utc() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 6, 1, 22, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert dc09.format_timestamp(local) == "_14:03:00,06-01-2026"


def test_sequence_runs_0001_to_9999_and_wraps() -> None:
    assert dc09.next_sequence(0) == 1
    assert dc09.next_sequence(41) == 42
    assert dc09.next_sequence(9999) == 1


def test_bad_fields_are_refused() -> None:
    with pytest.raises(ValueError):
        dc09.cid_message(1, "0", "0", "20G1", 1, 151, 1, 1)
    with pytest.raises(ValueError):
        dc09.cid_message(1, "0", "0", ACCOUNT, 2, 151, 1, 1)
    with pytest.raises(ValueError):
        dc09.cid_message(10000, "0", "0", ACCOUNT, 1, 151, 1, 1)
    with pytest.raises(ValueError):
        dc09.corrupt(b"not a frame", "crc")


# --- conformance: every frame kind the simulator writes, read by pysiaalarm ----------------------

KINDS = [(code, q) for code in ALL_CODES for q in (dc09.NEW, dc09.RESTORE)]
KINDS.append((dc09.TEST_REPORT, dc09.NEW))


@pytest.mark.parametrize("with_ts", [False, True], ids=["no-ts", "ts"])
@pytest.mark.parametrize(("code", "qualifier"), KINDS,
                         ids=[f"{c}-{'new' if q == 1 else 'restore'}" for c, q in KINDS])
def test_pysiaalarm_accepts_every_frame_kind(code: int, qualifier: int, with_ts: bool) -> None:
    zone = 0 if code == dc09.TEST_REPORT else 2
    group = 0 if code == dc09.TEST_REPORT else 1
    now = datetime.now(UTC).replace(microsecond=0)
    msg = dc09.cid_message(4711, "0", "0", ACCOUNT, qualifier, code, group, zone,
                           now if with_ts else None)
    frame = dc09.encode_frame(msg)
    event = siaa_parse(frame)  # default receiver: timestamps must be within -40 s .. +20 s

    assert event.valid_message, "pysiaalarm computed another CRC"
    assert event.msg_crc == event.calc_crc == frame[1:5].decode()
    assert int(event.length or "", 16) == len(event.full_message or "") == len(msg)
    assert event.message_type is not None and event.message_type.value == "ADM-CID"
    assert event.account == ACCOUNT and event.sequence == "4711"
    assert event.receiver == "R0" and event.line == "L0"
    assert event.event_qualifier == str(qualifier)
    assert event.event_type == f"{code:03d}"
    assert event.partition == f"{group:02d}" and event.ri == f"{zone:03d}"
    assert event.timestamp == (now if with_ts else None)
    # pysiaalarm's own SIA-code table has no entry for 383 or 384 (it says "YN", invalid
    # report); the codes of the contract are in the Contact ID event type either way.
    expected = ADM_MAPPING.get(f"{code:03d}", {}).get(str(qualifier), "YN")
    assert event.code == expected
    assert event.response == ResponseType.ACK
    # ... and pysiaalarm's own ACK is one the panel takes as acknowledging this frame.
    reply = dc09.parse_frame(event.create_response())
    assert reply is not None and reply.acknowledges(4711, "0", "0", ACCOUNT)


def test_pysiaalarm_accepts_still_active_and_no_receiver() -> None:
    frame = dc09.encode_frame(dc09.cid_message(7, None, "3", ACCOUNT, dc09.STATUS, 151, 1, 1))
    event = siaa_parse(frame)
    assert event.valid_message and event.receiver is None and event.line == "L3"
    assert event.event_qualifier == "6" and event.event_type == "151" and event.ri == "001"


def test_pysiaalarm_sees_a_crc_corrupted_frame_as_invalid() -> None:
    good = dc09.encode_frame(dc09.cid_message(5, "0", "0", ACCOUNT, 1, 151, 1, 1))
    bad = dc09.corrupt(good, "crc")
    assert bad != good and len(bad) == len(good)
    server = siaa_server()
    event = server.parse_and_check_event(bad)
    assert isinstance(event, SIAEvent)
    assert not event.valid_message and event.msg_crc != event.calc_crc
    assert event.response is None  # pysiaalarm would not ACK it
    assert server.counts.error_crc == 1
    ours = dc09.parse_frame(bad)
    assert ours is not None and not ours.crc_ok and ours.length_ok and not ours.valid


def test_length_corrupted_frame_is_detectable_from_pysiaalarms_parse() -> None:
    """A wrong length with a good CRC. pysiaalarm's server never checks the length (and its
    `valid_length` reads the field as decimal), so the test reads the length pysiaalarm
    extracted and the message it extracted, and shows they disagree."""
    good = dc09.encode_frame(dc09.cid_message(6, "0", "0", ACCOUNT, 1, 151, 1, 1))
    bad = dc09.corrupt(good, "length")
    event = siaa_parse(bad)
    assert event.valid_message  # the CRC alone does not catch it ...
    assert int(event.length or "", 16) != len(event.full_message or "")  # ... the length does
    ours = dc09.parse_frame(bad)
    assert ours is not None and ours.crc_ok and not ours.length_ok and not ours.valid


def test_parser_tolerates_garbage() -> None:
    ack = dc09.encode_frame(dc09.ack_message(12, "0", "0", ACCOUNT))
    nak = dc09.encode_frame(dc09.nak_message())
    reader = dc09.FrameReader()
    stream = (b"\x00\xffnoise" + ack[:9]  # a frame cut short by a new LF
              + b"\nZZZZ0014whatever\r"  # header not hex
              + b"\n" + b"A" * (dc09.MAX_FRAME + 5)  # runaway frame, no CR
              + ack[:5] + ack[5:]  # a good one split across reads below
              + b"junk\r" + nak)
    frames = []
    for i in range(0, len(stream), 7):
        frames += reader.feed(stream[i:i + 7])
    assert [f.kind for f in frames] == [dc09.ACK, dc09.NAK]
    assert frames[0].acknowledges(12, "0", "0", ACCOUNT)
    assert not frames[0].acknowledges(13, "0", "0", ACCOUNT)
    assert not frames[0].acknowledges(12, "0", "0", "2002")
    assert frames[1].valid and frames[1].seq == 0
    assert (frames[1].receiver, frames[1].line, frames[1].account) == ("0", "0", None)
    assert reader.garbage > 0
    # pysiaalarm's own NAK writes L before R; still read as a NAK.
    odd = dc09.parse_frame(dc09.encode_frame('"NAK"0000L0R0A0[]_14:03:00,06-01-2026'))
    assert odd is not None and odd.valid and odd.kind == dc09.NAK
    assert (odd.receiver, odd.line) == ("0", "0")
    # A line prefix that happens to contain an A is still read whole before an account.
    tricky = dc09.parse_frame(dc09.encode_frame(dc09.ack_message(3, "1A", "0A0", ACCOUNT)))
    assert tricky is not None and (tricky.receiver, tricky.line) == ("1A", "0A0")
    assert tricky.acknowledges(3, "1a", "0a0", ACCOUNT)
    assert dc09.parse_frame(b"\n12\r") is None
    assert dc09.parse_frame(b"\n+1230014xxxxxxxxxxxxxxxxxxxx\r") is None


# --- the panel on a pty, read with pyserial -------------------------------------------------------


def read_frame(ser: serial.Serial, timeout: float) -> bytes | None:
    """One frame (LF .. CR) within `timeout` seconds, or None."""
    ser.timeout = timeout
    data = ser.read_until(b"\r")
    if not data.endswith(b"\r"):
        assert data == b"", f"partial frame {data!r}"
        return None
    return data[data.rfind(b"\n"):]


def ack_for(frame: bytes) -> bytes:
    f = dc09.parse_frame(frame)
    assert f is not None and f.seq is not None and f.line is not None and f.account is not None
    return dc09.encode_frame(dc09.ack_message(f.seq, f.receiver, f.line, f.account))


def cid(frame: bytes) -> tuple[dc09.Frame, dc09.ContactId]:
    f = dc09.parse_frame(frame)
    assert f is not None and f.valid and f.kind == dc09.CID and f.data is not None
    c = dc09.parse_cid_data(f.data)
    assert c is not None
    return f, c


Rig = Callable[..., tuple[SimPanel, serial.Serial]]


@pytest.fixture
def rig() -> Iterator[Rig]:
    """Start a panel (test reports off unless asked for) and open its pty like a real port."""
    made: list[tuple[SimPanel, serial.Serial]] = []

    def make(panel: Panel = PANEL, **kw: Any) -> tuple[SimPanel, serial.Serial]:
        kw.setdefault("ack_timeout_s", FAST)
        kw.setdefault("test_reports", False)
        sim = SimPanel(panel, **kw).start()
        ser = serial.Serial(sim.path, 9600, timeout=1)
        made.append((sim, ser))
        return sim, ser

    yield make
    for sim, ser in made:
        ser.close()
        sim.stop()


def test_unacknowledged_frame_is_retransmitted_until_acked(rig: Rig) -> None:
    sim, ser = rig(max_attempts=5)
    assert sim.path.startswith("/dev/pts/")
    d = sim.send("gas", unit="2-1-0102")
    first = read_frame(ser, 2.0)
    assert first is not None
    _, c = cid(first)
    assert (c.account, c.qualifier, c.event, c.zone) == (ACCOUNT, 1, 151, 2)
    assert siaa_parse(first).valid_message
    again = read_frame(ser, FAST * 5)  # not acknowledged: the same frame comes again
    assert again == first
    ser.write(ack_for(again))
    assert d.wait(2.0) and d.status == "acked" and d.attempts == 2
    assert read_frame(ser, FAST * 3) is None  # well past the retransmit timeout: nothing more


def test_ack_that_does_not_echo_the_frame_is_not_taken(rig: Rig) -> None:
    sim, ser = rig(max_attempts=5)
    d = sim.send("panic", unit="2-1-0101")
    first = read_frame(ser, 2.0)
    assert first is not None
    f, _ = cid(first)
    assert f.seq is not None
    ser.write(dc09.encode_frame(dc09.ack_message(f.seq + 1, "0", "0", ACCOUNT)))  # wrong seq
    ser.write(dc09.encode_frame(dc09.ack_message(f.seq, "0", "0", "2002")))  # wrong account
    ser.write(dc09.corrupt(ack_for(first), "crc"))  # a damaged ACK
    assert read_frame(ser, FAST * 5) == first
    ser.write(b"\x00line noise" + ack_for(first))
    assert d.wait(2.0) and d.status == "acked"


@pytest.mark.parametrize("how", dc09.CORRUPTIONS)
def test_corrupted_frame_then_nak_brings_a_good_one(rig: Rig, how: dc09.Corruption) -> None:
    # A long ack timeout: the good frame must come because of the NAK, not the timer.
    sim, ser = rig(ack_timeout_s=10.0)
    sim.corrupt_next(how)
    d = sim.send("fire", unit="2-1-0101", restore=True)
    bad = read_frame(ser, 2.0)
    assert bad is not None
    ours = dc09.parse_frame(bad)
    assert ours is not None and not ours.valid
    event = siaa_parse(bad)
    if how == "crc":
        assert not event.valid_message
    else:
        assert int(event.length or "", 16) != len(event.full_message or "")
    sent = time.monotonic()
    ser.write(dc09.encode_frame(dc09.nak_message()))
    good = read_frame(ser, 2.0)
    assert good is not None and time.monotonic() - sent < 2.0
    f, c = cid(good)
    assert f.seq == ours.seq and (c.qualifier, c.event, c.zone) == (3, 110, 1)
    event = siaa_parse(good)
    assert event.valid_message and event.response == ResponseType.ACK
    ser.write(ack_for(good))
    assert d.wait(2.0) and d.status == "acked" and d.attempts == 2


def test_send_can_corrupt_its_first_transmission(rig: Rig) -> None:
    sim, ser = rig()
    sim.send("medical", unit="2-1-0101", corrupt="crc")
    bad = read_frame(ser, 2.0)
    again = read_frame(ser, FAST * 5)  # no NAK, no ACK: the timer retransmits, uncorrupted
    assert bad is not None and again is not None
    assert not siaa_parse(bad).valid_message and siaa_parse(again).valid_message
    assert bad[5:] == again[5:]


def test_retries_are_bounded_and_the_event_reported_undelivered(rig: Rig) -> None:
    results: list[str] = []
    sim, ser = rig(max_attempts=3, on_result=lambda d: results.append(d.status))
    d = sim.send("tamper")
    frames = [read_frame(ser, FAST * 5) for _ in range(3)]
    assert all(f is not None for f in frames) and len(set(frames)) == 1
    assert d.wait(FAST * 5) and d.status == "undelivered" and d.attempts == 3
    assert sim.undelivered == [d] and results == ["undelivered"]
    assert read_frame(ser, FAST * 3) is None
    # The panel goes on with the next event, with the next sequence number.
    sim.send("tamper", restore=True)
    nxt = read_frame(ser, 2.0)
    assert nxt is not None
    f, c = cid(nxt)
    assert f.seq == (d.seq or 0) + 1 and c.qualifier == 3 and c.zone == 0


def test_events_wait_their_turn_and_sequences_wrap(rig: Rig) -> None:
    sim, ser = rig(last_seq=9998, timestamps=False)
    a = sim.send("trouble", unit="2-1-0101")
    b = sim.send(384, unit="2-1-0102")
    first = read_frame(ser, 2.0)
    assert first is not None
    # Stop-and-wait: the second frame is not sent before the first is acknowledged.
    assert read_frame(ser, FAST / 2) is None
    ser.write(ack_for(first))
    second = read_frame(ser, 2.0)
    assert second is not None
    ser.write(ack_for(second))
    assert a.wait(2.0) and b.wait(2.0) and a.status == b.status == "acked"
    (f1, c1), (f2, c2) = cid(first), cid(second)
    assert (f1.seq, c1.event, f1.timestamp) == (9999, 380, None)
    assert (f2.seq, c2.event, c2.zone) == (1, 384, 2)
    assert siaa_parse(second).sequence == "0001"


def test_periodic_test_report(rig: Rig) -> None:
    _, ser = rig(test_reports=True, test_report_interval_s=0.3)
    for _ in range(2):
        frame = read_frame(ser, 2.0)
        assert frame is not None
        _, c = cid(frame)
        assert (c.account, c.qualifier, c.event, c.group, c.zone) == (ACCOUNT, 1, 602, 0, 0)
        event = siaa_parse(frame)
        assert event.valid_message and event.code == "RP" and event.response == ResponseType.ACK
        ser.write(ack_for(frame))


def test_zones_come_from_the_site_configuration(rig: Rig) -> None:
    panel = load_site().panels["panel-2"]
    sim, ser = rig(panel)
    unit = panel.zones["003"]
    sim.send("gas", unit=unit)
    frame = read_frame(ser, 2.0)
    assert frame is not None
    _, c = cid(frame)
    assert (c.account, c.zone) == (panel.account, 3)
    ser.write(ack_for(frame))
    with pytest.raises(ValueError, match="no zone for unit"):
        sim.send("gas", unit="1-1-0101")
    with pytest.raises(ValueError):
        sim.send(999)
    assert set(EVENTS.values()) <= set(dc09.CONDITION_OF)


def test_stop_is_prompt_and_releases_everything() -> None:
    sim = SimPanel(PANEL, ack_timeout_s=60.0, test_report_interval_s=3600).start()
    d = sim.send("gas", unit="2-1-0101")
    t0 = time.monotonic()
    sim.stop()
    assert time.monotonic() - t0 < 1.0
    assert d.done and d.status == "stopped"
    with pytest.raises(RuntimeError):
        sim.send("gas")


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_panel_raises_an_event_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    link = tmp_path / "panel.tty"
    proc = subprocess.Popen(
        [sys.executable, "-m", "firmware_sim", "panel", "--panel", "panel-2", "--event", "gas",
         "--unit", "2-1-0102", "--delay", "0.2", "--ack-timeout", "0.5", "--attempts", "20",
         "--link", str(link)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "panel-2" in first and "/dev/pts/" in first, first + proc.stderr.read()  # type: ignore[union-attr]
        assert link.is_symlink()
        with serial.Serial(str(link), 9600, timeout=1) as ser:
            frame = read_frame(ser, 5.0)
            assert frame is not None
            _, c = cid(frame)
            assert (c.account, c.qualifier, c.event, c.zone) == ("2001", 1, 151, 2)
            ser.write(ack_for(frame))
            outcome = proc.stdout.readline()
        assert "gas 151 new, zone 002 (2-1-0102)" in outcome and "acked" in outcome, outcome
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
        assert not link.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
