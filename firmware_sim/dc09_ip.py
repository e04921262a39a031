"""A simulated alarm panel reporting over IP (SIA DC-09 over TCP or UDP), as a panel's IP
communicator does: ADM-CID or SIA-DCS, in clear or AES-encrypted with the account's key, one
message at a time, sent again after a NAK or when no answer comes, up to `max_attempts`.

Written from the DC-09 text, apart from the gateway's receiver (gateway/dc09_ip.py), like the
serial panel (firmware_sim/dc09.py): the simulator stands in for hardware someone else built.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from Crypto.Cipher import AES

from firmware_sim.dc09 import CID, RESTORE, crc16_arc, format_timestamp, next_sequence

SIA_DCS = "SIA-DCS"
Format = Literal["ADM-CID", "SIA-DCS"]
Transport = Literal["tcp", "udp"]

# Contact ID event -> SIA-DCS code for a new event and for its restore.
SIA_CODE: dict[int, tuple[str, str]] = {
    151: ("GA", "GH"), 110: ("FA", "FH"), 100: ("MA", "MH"), 101: ("MA", "MH"),
    120: ("PA", "PH"), 121: ("PA", "PH"), 122: ("HA", "HH"), 137: ("TA", "TR"),
    383: ("TA", "TR"), 380: ("ET", "ER"), 373: ("FT", "FJ"), 302: ("YT", "YR"),
    384: ("YT", "YR"), 301: ("AT", "AR"), 602: ("RP", "RP"),
}


def encrypt(key: str, text: str) -> str:
    """DC-09 encryption: pad at the front to whole AES blocks, then `|` (pad characters are
    random), AES-CBC with a zero IV, the key's characters as its bytes; uppercase hex."""
    fill = 16 - (len(text) + 1) % 16
    pad = "".join(chr(0x41 + b % 26) for b in os.urandom(fill % 16))
    plain = f"{pad}|{text}".encode("ascii")
    return AES.new(key.encode("ascii"), AES.MODE_CBC, bytes(16)).encrypt(plain).hex().upper()


def decrypt(key: str, hex_text: str) -> str:
    raw = bytes.fromhex(hex_text)
    return AES.new(key.encode("ascii"), AES.MODE_CBC, bytes(16)).decrypt(raw).decode(
        "ascii", errors="replace")


def data_block(fmt: Format, account: str, qualifier: int, event: int, zone: int) -> str:
    """The data between `[` and `]`: Contact ID `#ACCT|QEEE GG CCC`, or SIA-DCS
    `#ACCT|Nri1/CCzzz`."""
    if fmt == CID:
        return f"#{account}|{qualifier}{event:03d} 01 {zone:03d}"
    new, restore = SIA_CODE[event]
    return f"#{account}|Nri1/{restore if qualifier == RESTORE else new}{zone:03d}"


def message(fmt: Format, seq: int, account: str, data: str, key: str | None,
            at: datetime, line: str = "0", receiver: str = "0") -> bytes:
    """One framed message: LF CRC 0LLL "[*]TOKEN"SSSS R L #ACCT [...] CR."""
    ts = format_timestamp(at)
    head = f'"{"*" if key else ""}{fmt}"{seq:04d}R{receiver}L{line}#{account}['
    body = head + (encrypt(key, f"{data}]{ts}") if key else f"{data}]{ts}")
    raw = body.encode("ascii")
    return b"\n" + f"{crc16_arc(raw):04X}0{len(raw):03X}".encode("ascii") + raw + b"\r"


def answer_token(reply: bytes) -> str:
    """ACK, *ACK, NAK or DUH from a framed answer ('' if it is not one)."""
    body = reply.strip(b"\r\n")[8:]
    parts = body.split(b'"')
    return parts[1].decode("ascii", errors="replace") if len(parts) > 2 else ""


@dataclass
class Sent:
    seq: int
    answers: list[str]

    @property
    def status(self) -> str:
        return "acked" if self.answers and self.answers[-1].endswith("ACK") else "undelivered"


class IpPanel:
    """An IP communicator for one account, talking to a receiver at host:port."""

    def __init__(self, account: str, host: str, port: int, *, transport: Transport = "tcp",
                 fmt: Format = "SIA-DCS", key: str | None = None, ack_timeout_s: float = 2.0,
                 max_attempts: int = 5) -> None:
        self.account, self.host, self.port = account.upper(), host, port
        self.transport, self.fmt, self.key = transport, fmt, key
        self.ack_timeout_s, self.max_attempts = ack_timeout_s, max_attempts
        self.seq = 0
        self._tcp: socket.socket | None = None

    def send(self, qualifier: int, event: int, zone: int, *,
             clock_offset_s: float = 0.0) -> Sent:
        self.seq = next_sequence(self.seq)
        sent = Sent(self.seq, [])
        data = data_block(self.fmt, self.account, qualifier, event, zone)
        for _ in range(self.max_attempts):
            at = datetime.fromtimestamp(datetime.now(UTC).timestamp() + clock_offset_s, UTC)
            reply = self._exchange(message(self.fmt, self.seq, self.account, data, self.key, at))
            token = answer_token(reply) if reply else ""
            sent.answers.append(token or "none")
            if token.endswith("ACK") or token.endswith("DUH"):
                break
        return sent

    def _exchange(self, frame: bytes) -> bytes:
        try:
            if self.transport == "udp":
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.settimeout(self.ack_timeout_s)
                    s.sendto(frame, (self.host, self.port))
                    return s.recv(4096)
            if self._tcp is None:
                self._tcp = socket.create_connection((self.host, self.port), self.ack_timeout_s)
            self._tcp.sendall(frame)
            reply = b""
            while not reply.endswith(b"\r"):
                chunk = self._tcp.recv(4096)
                if not chunk:
                    raise ConnectionError("receiver closed the connection")
                reply += chunk
            return reply
        except OSError:
            self.close()
            return b""

    def close(self) -> None:
        if self._tcp is not None:
            self._tcp.close()
            self._tcp = None
