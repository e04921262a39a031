"""SIA DC-09 framing and the Ademco Contact ID message, as the receiver reads them
(ARCHITECTURE §5). Pure: no I/O, no clock except where a caller passes the time in.

A frame on the line is

    LF  CRC  0LLL  message  CR

CRC: 4 uppercase hex digits of CRC-16/ARC over the message; 0LLL: `0` and 3 uppercase hex
digits, the message's length in bytes. The message:

    "ADM-CID" SSSS [R rrr] L ppp #ACCT [ #ACCT|QEEE GG CCC ] [_HH:MM:SS,MM-DD-YYYY]

Written from the contract text, not from the simulator's code: the simulator stands in for
hardware someone else built and must be able to catch our mistakes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

LF = 0x0A
CR = 0x0D
MAX_MESSAGE = 0xFFF  # three hex digits of length
# LF + CRC(4) + length(4) + message + CR
MAX_FRAME = 1 + 4 + 4 + MAX_MESSAGE + 1

ADM_CID = "ADM-CID"
NULL = "NULL"  # DC-09 link test: no event, just "I am here"

Reason = Literal["bad_crc", "bad_length", "bad_format", "unsupported"]


class SiaError(Exception):
    """A frame or message the receiver cannot use. `reason` is a short tag for counting and
    quarantine; `raw` is what was received (the frame's bytes where known)."""

    def __init__(self, reason: Reason, detail: str, raw: bytes = b"") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason
        self.detail = detail
        self.raw = raw


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC: polynomial 0x8005 bit-reversed (0xA001), initial value 0, reflected input
    and output, no final XOR. Check value: crc16_arc(b"123456789") == 0xBB3D."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


# --- frames ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """A frame whose CRC and length are right. `message` is its ASCII text."""

    crc: int
    message: str
    raw: bytes  # LF ... CR as received


_HEXDIGITS = frozenset(b"0123456789ABCDEF")


def parse_frame(raw: bytes) -> Frame:
    """Check one frame (`LF ... CR`; the delimiters may be left off). Raises SiaError with
    reason `bad_format` (not a frame: fields not hex, too short, not ASCII), `bad_length`
    or `bad_crc`."""
    body = raw[1:] if raw[:1] == b"\n" else raw
    body = body[:-1] if body[-1:] == b"\r" else body
    if len(body) < 8:
        raise SiaError("bad_format", f"{len(body)} bytes is too short for a frame", raw)
    crc_field, len_field, payload = body[:4], body[4:8], body[8:]
    if not set(crc_field) <= _HEXDIGITS:
        raise SiaError("bad_format", f"CRC field {crc_field!r} is not 4 uppercase hex digits",
                       raw)
    if len_field[:1] != b"0" or not set(len_field[1:]) <= _HEXDIGITS:
        raise SiaError("bad_format", f"length field {len_field!r} is not 0 + 3 hex digits", raw)
    declared = int(len_field, 16)
    if declared != len(payload):
        raise SiaError("bad_length",
                       f"length field says {declared} bytes, the message has {len(payload)}",
                       raw)
    crc = int(crc_field, 16)
    actual = crc16_arc(payload)
    if crc != actual:
        raise SiaError("bad_crc", f"CRC field {crc:04X}, message CRC {actual:04X}", raw)
    try:
        message = payload.decode("ascii")
    except UnicodeDecodeError:
        raise SiaError("bad_format", "message is not ASCII", raw) from None
    return Frame(crc, message, raw)


def encode_frame(message: str) -> bytes:
    """LF + CRC + length + message + CR."""
    payload = message.encode("ascii")
    if len(payload) > MAX_MESSAGE:
        raise ValueError(f"message of {len(payload)} bytes does not fit the length field")
    if b"\n" in payload or b"\r" in payload:
        raise ValueError("a message cannot contain LF or CR")
    return b"\n%04X0%03X" % (crc16_arc(payload), len(payload)) + payload + b"\r"


class FrameReader:
    """Finds frames in a byte stream that may carry line noise and partial frames.

    LF starts a frame and CR ends it. Bytes outside LF ... CR are noise (`noise` counts them).
    An LF inside a frame drops what came before it and starts again (a frame cut short and a
    new one begun). A frame longer than the longest possible one is dropped as noise. An empty
    `LF CR` is noise too. Everything else between LF and CR is returned: a Frame, or a
    SiaError (bad_crc, bad_length, bad_format) for the caller to answer with a NAK.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._inside = False
        self.noise = 0

    def feed(self, data: bytes) -> list[Frame | SiaError]:
        out: list[Frame | SiaError] = []
        for byte in data:
            if byte == LF:
                if self._inside:
                    self.noise += len(self._buf)
                self._buf = bytearray(b"\n")
                self._inside = True
            elif not self._inside:
                self.noise += 1
            elif byte == CR:
                self._buf.append(CR)
                raw = bytes(self._buf)
                self._buf = bytearray()
                self._inside = False
                if len(raw) == 2:
                    self.noise += 2
                    continue
                try:
                    out.append(parse_frame(raw))
                except SiaError as exc:
                    out.append(exc)
            else:
                self._buf.append(byte)
                if len(self._buf) > MAX_FRAME - 1:
                    self.noise += len(self._buf)
                    self._buf = bytearray()
                    self._inside = False
        return out


# --- messages --------------------------------------------------------------------------------

_TS_FORMAT = "%H:%M:%S,%m-%d-%Y"
_MESSAGE = re.compile(
    r'"(?P<token>\*?[A-Z][A-Z0-9-]*)"'
    r"(?P<seq>[0-9]{4})"
    r"(?:R(?P<receiver>[0-9A-Fa-f]{1,6}))?"
    r"L(?P<line>[0-9A-Fa-f]{1,6})"
    r"#(?P<account>[0-9A-Fa-f]{3,16})"
    r"\[(?P<data>[^\[\]]*)\]"
    r"(?:_(?P<ts>[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{2}-[0-9]{2}-[0-9]{4}))?"
)
_CONTACT_ID = re.compile(
    r"#(?P<account>[0-9A-Fa-f]{3,16})\|"
    r"(?P<q>[0-9])(?P<event>[0-9]{3}) (?P<group>[0-9]{2}) (?P<zone>[0-9]{3})"
)


@dataclass(frozen=True)
class Message:
    """A DC-09 message header and its data, as text. `seq`, `receiver`, `line` and `account`
    are kept exactly as received: the ACK must echo them byte for byte."""

    token: str  # ADM-CID, NULL, ...
    seq: str  # 4 digits
    receiver: str | None
    line: str
    account: str
    data: str  # between [ and ]
    timestamp_text: str | None  # HH:MM:SS,MM-DD-YYYY as sent
    timestamp: datetime | None  # the same, UTC; None if absent or not a real date

    @property
    def encrypted(self) -> bool:
        return self.token.startswith("*")


def parse_message(text: str) -> Message:
    """Read a DC-09 message. Raises SiaError("bad_format") if its header cannot be read."""
    m = _MESSAGE.fullmatch(text)
    if m is None:
        raise SiaError("bad_format", f"not a DC-09 message: {text[:80]!r}", text.encode())
    ts_text = m["ts"]
    ts = None
    if ts_text is not None:
        try:
            ts = datetime.strptime(ts_text, _TS_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            ts = None  # syntactically a timestamp, not a real date: keep the text only
    return Message(m["token"], m["seq"], m["receiver"], m["line"], m["account"], m["data"],
                   ts_text, ts)


@dataclass(frozen=True)
class ContactId:
    account: str
    qualifier: int  # 1 new, 3 restore, 6 still active
    event: int  # Contact ID event code, e.g. 151
    group: str  # 2 digits
    zone: str  # 3 digits; 000 is the panel itself


def parse_contact_id(data: str) -> ContactId:
    """`#2001|1151 01 001` -> ContactId. Raises SiaError("bad_format")."""
    m = _CONTACT_ID.fullmatch(data)
    if m is None:
        raise SiaError("bad_format", f"not Contact ID data: {data[:80]!r}", data.encode())
    return ContactId(m["account"], int(m["q"]), int(m["event"]), m["group"], m["zone"])


# --- answers ---------------------------------------------------------------------------------


def _echo(token: str, msg: Message) -> str:
    receiver = f"R{msg.receiver}" if msg.receiver is not None else ""
    return f'"{token}"{msg.seq}{receiver}L{msg.line}#{msg.account}[]'


def ack_message(msg: Message) -> str:
    """`"ACK"` echoing sequence, receiver, line prefix and account, with empty data."""
    return _echo("ACK", msg)


def ack_frame(msg: Message) -> bytes:
    return encode_frame(ack_message(msg))


def duh_frame(msg: Message) -> bytes:
    """`"DUH"`: the receiver read the frame but does not understand it; not retransmitted."""
    return encode_frame(_echo("DUH", msg))


def format_timestamp(at: datetime) -> str:
    """`_HH:MM:SS,MM-DD-YYYY` in UTC (DC-09 time is GMT)."""
    return "_" + at.astimezone(UTC).strftime(_TS_FORMAT)


def nak_message(at: datetime) -> str:
    """The DC-09 NAK: nothing in a damaged frame can be trusted, so it echoes no sequence or
    account: `"NAK"0000R0L0A0[]_HH:MM:SS,MM-DD-YYYY`, with the receiver's time."""
    return f'"NAK"0000R0L0A0[]{format_timestamp(at)}'


def nak_frame(at: datetime) -> bytes:
    return encode_frame(nak_message(at))
