"""SIA DC-09 framing carrying Ademco Contact ID (`ADM-CID`), as a panel writes it (ARCHITECTURE §5).

Pure functions, no I/O. A frame on the wire is

    LF  CRC(4 hex)  0LLL(length, 3 hex)  message  CR

where the CRC is CRC-16/ARC of the message and LLL its length, and the message is

    "ADM-CID"SSSS[Rrrr]Lppp#ACCT[#ACCT|QEEE GG CCC][_HH:MM:SS,MM-DD-YYYY]

The receiver answers with `"ACK"SSSS[Rrrr]Lppp#ACCT[]` (echoing the frame it accepts) or, for a
frame with a bad CRC or length, a `"NAK"`. See docs/protocol/dc09.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

LF = 0x0A
CR = 0x0D
MAX_MESSAGE = 0xFFF  # the length field has three hex digits
MAX_FRAME = 1 + 4 + 4 + MAX_MESSAGE + 1

CID = "ADM-CID"
ACK = "ACK"
NAK = "NAK"
DUH = "DUH"

# Contact ID qualifiers.
NEW, RESTORE, STATUS = 1, 3, 6

# Contact ID event codes of ARCHITECTURE §5, by the condition they report.
EVENT_CODES: dict[str, tuple[int, ...]] = {
    "gas": (151,),
    "panic": (120, 121, 122),
    "medical": (100, 101),
    "fire": (110,),
    "tamper": (383, 137),
    "trouble": (380, 373),
    "battery": (302, 384),
    "mains": (301,),
    "test": (602,),
}
CONDITION_OF: dict[int, str] = {code: name for name, codes in EVENT_CODES.items()
                                for code in codes}
TEST_REPORT = 602

Corruption = Literal["crc", "length"]
CORRUPTIONS: tuple[Corruption, ...] = ("crc", "length")

_HEX = re.compile(r"^[0-9A-F]{1,6}$")
_ACCOUNT = re.compile(r"^[0-9A-F]{3,16}$")
_TS_FORMAT = "%H:%M:%S,%m-%d-%Y"


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC: polynomial 0x8005 reflected (0xA001), init 0, no final XOR."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def next_sequence(seq: int) -> int:
    """Sequence numbers run 0001..9999 and wrap to 0001 (0000 is not used by a panel)."""
    return 1 if seq >= 9999 else seq + 1


def encode_frame(message: str) -> bytes:
    """Frame a message: LF + CRC + length + message + CR."""
    body = message.encode("ascii")
    if len(body) > MAX_MESSAGE:
        raise ValueError(f"message of {len(body)} bytes is longer than {MAX_MESSAGE}")
    if b"\n" in body or b"\r" in body:
        raise ValueError("a message cannot contain LF or CR")
    return b"\n" + f"{crc16_arc(body):04X}0{len(body):03X}".encode("ascii") + body + b"\r"


def format_timestamp(ts: datetime) -> str:
    """`_HH:MM:SS,MM-DD-YYYY`. DC-09 timestamps are UTC: an aware time is converted to UTC,
    a naive one is taken to be UTC already."""
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC)
    return "_" + ts.strftime(_TS_FORMAT)


def _check_hex(name: str, value: str) -> str:
    value = value.upper()
    if not _HEX.match(value):
        raise ValueError(f"{name} must be 1-6 hex digits, not {value!r}")
    return value


def _check_account(account: str) -> str:
    account = account.upper()
    if not _ACCOUNT.match(account):
        raise ValueError(f"account must be 3-16 hex digits, not {account!r}")
    return account


def _header(kind: str, seq: int, receiver: str | None, line: str, account: str) -> str:
    if not 0 <= seq <= 9999:
        raise ValueError(f"sequence {seq} is not 0000..9999")
    rcv = f"R{_check_hex('receiver', receiver)}" if receiver is not None else ""
    return f'"{kind}"{seq:04d}{rcv}L{_check_hex("line prefix", line)}#{_check_account(account)}'


def cid_data(account: str, qualifier: int, event: int, group: int, zone: int) -> str:
    """The Contact ID data block (without brackets): `#ACCT|QEEE GG CCC`."""
    if qualifier not in (NEW, RESTORE, STATUS):
        raise ValueError(f"qualifier must be 1, 3 or 6, not {qualifier}")
    if not 0 <= event <= 999 or not 0 <= group <= 99 or not 0 <= zone <= 999:
        raise ValueError(f"event/group/zone out of range: {event}/{group}/{zone}")
    return f"#{_check_account(account)}|{qualifier}{event:03d} {group:02d} {zone:03d}"


def cid_message(seq: int, receiver: str | None, line: str, account: str, qualifier: int,
                event: int, group: int, zone: int, timestamp: datetime | None = None) -> str:
    """An `ADM-CID` message (unframed), e.g.
    `"ADM-CID"0001R0L0#2001[#2001|1151 01 001]_14:03:00,06-01-2026`."""
    data = cid_data(account, qualifier, event, group, zone)
    ts = format_timestamp(timestamp) if timestamp is not None else ""
    return f"{_header(CID, seq, receiver, line, account)}[{data}]{ts}"


def ack_message(seq: int, receiver: str | None, line: str, account: str) -> str:
    """The receiver's acknowledgement of a frame: `"ACK"0001R0L0#2001[]`."""
    return f"{_header(ACK, seq, receiver, line, account)}[]"


def nak_message(timestamp: datetime | None = None, receiver: str = "0", line: str = "0") -> str:
    """A negative acknowledgement in the DC-09 form `"NAK"0000R0L0A0[]_HH:MM:SS,MM-DD-YYYY`:
    the receiver could not trust the frame, so it echoes no sequence or account."""
    ts = format_timestamp(timestamp or datetime.now(UTC))
    return (f'"{NAK}"0000R{_check_hex("receiver", receiver)}L{_check_hex("line prefix", line)}'
            f"A0[]{ts}")


def corrupt(frame: bytes, how: Corruption) -> bytes:
    """Fault injection on an encoded frame.

    - "crc": the CRC field is inverted (every bit flipped), so it no longer matches the message.
    - "length": the length field declares one byte more than the message has; the CRC still
      matches, so only a receiver that checks the length notices.
    """
    if len(frame) < 10 or frame[0] != LF or frame[-1] != CR:
        raise ValueError("not an encoded frame")
    if how == "crc":
        crc = int(frame[1:5], 16) ^ 0xFFFF
        return frame[:1] + f"{crc:04X}".encode("ascii") + frame[5:]
    if how == "length":
        length = (int(frame[5:9], 16) + 1) % (MAX_MESSAGE + 1)
        return frame[:5] + f"0{length:03X}".encode("ascii") + frame[9:]
    raise ValueError(f"unknown corruption {how!r}: use one of {', '.join(CORRUPTIONS)}")


# --- parsing what comes back (or, in tests, what the panel wrote) -------------------------------

_MESSAGE = re.compile(
    r'^"(?P<kind>\*?[A-Z][A-Z0-9-]*)"'
    r"(?P<seq>[0-9]{4})"
    r"(?P<head>[^\[]*)"
    r"\[(?P<data>[^\]]*)\]"
    r"(?:_(?P<ts>[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{2}-[0-9]{2}-[0-9]{4}))?$"
)
# The header after the sequence: receiver, line prefix (some receivers write L before R), then
# `#account` or, in a NAK, `A0`. Lazy digits, because the A of `R0L0A0` is also a hex digit.
_H = "[0-9A-Fa-f]"
_HEAD = re.compile(
    rf"^(?:R(?P<r1>{_H}{{1,6}}?))?(?:L(?P<line>{_H}{{1,6}}?))?(?:R(?P<r2>{_H}{{1,6}}?))?"
    rf"(?:#(?P<account>{_H}{{3,16}})|A{_H}{{1,16}})?$")
_CID_DATA = re.compile(
    r"^#(?P<account>[0-9A-F]{3,16})\|(?P<q>[0-9])(?P<event>[0-9]{3}) (?P<group>[0-9]{2}) "
    r"(?P<zone>[0-9]{3})$")


@dataclass(frozen=True)
class Frame:
    """One frame as received. `crc_ok` and `length_ok` say whether it can be trusted; the
    fields are filled in as far as the message could be read (None when it could not)."""

    raw: bytes
    message: str
    crc_ok: bool
    length_ok: bool
    kind: str | None = None  # ADM-CID, ACK, NAK, DUH, ...
    seq: int | None = None
    receiver: str | None = None
    line: str | None = None
    account: str | None = None
    data: str | None = None
    timestamp: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.crc_ok and self.length_ok and self.kind is not None

    def acknowledges(self, seq: int, receiver: str | None, line: str, account: str) -> bool:
        """True for a trustworthy ACK echoing this sequence, receiver, line prefix and account."""
        return (self.valid and self.kind == ACK and self.seq == seq
                and self.receiver == (receiver.upper() if receiver is not None else None)
                and self.line == line.upper() and self.account == account.upper())


@dataclass(frozen=True)
class ContactId:
    account: str
    qualifier: int
    event: int
    group: int
    zone: int


def parse_cid_data(data: str) -> ContactId | None:
    """`#2001|1151 01 001` -> ContactId; None if it is not Contact ID data."""
    m = _CID_DATA.match(data)
    if not m:
        return None
    return ContactId(m["account"], int(m["q"]), int(m["event"]), int(m["group"]),
                     int(m["zone"]))


def parse_frame(raw: bytes) -> Frame | None:
    """Read one frame, with or without its LF and CR. None if it is not a frame at all
    (too short, or its CRC or length fields are not hex)."""
    body = raw.strip(b"\r\n")
    if len(body) < 8:
        return None
    head = body[:8]
    if not all(c in b"0123456789ABCDEFabcdef" for c in head):
        return None
    crc, length = int(head[:4], 16), int(head[4:], 16)
    payload = body[8:]
    message = payload.decode("ascii", errors="replace")
    frame = Frame(raw=raw, message=message, crc_ok=crc16_arc(payload) == crc,
                  length_ok=len(payload) == length)
    m = _MESSAGE.match(message)
    if not m:
        return frame
    head = _HEAD.match(m["head"])
    fields = {k: v.upper() for k, v in head.groupdict().items() if v} if head else {}
    ts = None
    if m["ts"]:
        try:
            ts = datetime.strptime(m["ts"], _TS_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            ts = None
    return Frame(raw=raw, message=message, crc_ok=frame.crc_ok, length_ok=frame.length_ok,
                 kind=m["kind"], seq=int(m["seq"]),
                 receiver=fields.get("r1") or fields.get("r2"), line=fields.get("line"),
                 account=fields.get("account"), data=m["data"], timestamp=ts)


class FrameReader:
    """Splits a byte stream into frames: LF starts one, CR ends it. Bytes outside a frame,
    a frame that grows past the longest possible one, and an LF inside a frame (which restarts
    it) are all treated as line noise and dropped; `garbage` counts the bytes dropped."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._in_frame = False
        self.garbage = 0

    def feed(self, data: bytes) -> list[Frame]:
        out: list[Frame] = []
        for byte in data:
            if byte == LF:
                self.garbage += len(self._buf)
                self._buf = bytearray(b"\n")
                self._in_frame = True
            elif not self._in_frame:
                self.garbage += 1
            elif byte == CR:
                self._buf.append(byte)
                frame = parse_frame(bytes(self._buf))
                if frame is None:
                    self.garbage += len(self._buf)
                else:
                    out.append(frame)
                self._buf = bytearray()
                self._in_frame = False
            else:
                self._buf.append(byte)
                if len(self._buf) > MAX_FRAME:
                    self.garbage += len(self._buf)
                    self._buf = bytearray()
                    self._in_frame = False
        return out
