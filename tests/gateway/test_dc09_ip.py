"""SIA DC-09 over IP (TCP and UDP), ADM-CID and SIA-DCS, in clear and AES-encrypted: lines built
by pysiaalarm's own test helper and its test suite's real-panel examples
(tests/support/pysiaalarm_lines.py) are received, answered as the standard says and raised as
the right alerts; a wrong key or a stale timestamp is refused with a NAK. pysiaalarm's receiver
(SIAEvent) is the oracle for which lines are sound and for the bytes of the clear ACK."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from pysiaalarm import SIAAccount
from pysiaalarm.event import SIAEvent

from config import Panel
from gateway import dc09_ip
from gateway.dc09_server import DC09Server
from gateway.quarantine import Quarantine
from gateway.service import Submitted
from tests.support.pysiaalarm_lines import (
    KEY,
    REAL_PANEL_LINES,
    _encrypt_content,
    crc_calc,
    create_test_line,
)
from tests.utils import wait_until

ZONES = {"001": "2-1-0101", "002": "2-1-0102", "129": "2-1-0103", "501": "2-1-0104"}


class FakeGateway:
    """The gateway's worker minus the outbox: keeps what is submitted and, once `release` is
    set, runs each `on_recorded` (the ACK) in order."""

    def __init__(self) -> None:
        self.quarantine = Quarantine()
        self.submitted: list[Submitted] = []
        self.release = threading.Event()
        self._done = threading.Event()
        self._t = threading.Thread(target=self._work, daemon=True)
        self._t.start()

    def submit(self, item: Submitted) -> None:
        self.submitted.append(item)

    def _work(self) -> None:
        ran = 0
        while not self._done.is_set():
            self.release.wait(0.05)
            while self.release.is_set() and ran < len(self.submitted):
                callback = self.submitted[ran].on_recorded
                ran += 1
                if callback is not None:
                    callback()

    def close(self) -> None:
        self._done.set()
        self._t.join(5)


def panel(account: str, key: str | None = None) -> Panel:
    return Panel(f"panel-{account}", "2", account, "ip", ZONES, 3600, key)


def ts_of(text: str) -> float:
    return datetime.strptime(text, "%H:%M:%S,%m-%d-%Y").replace(tzinfo=UTC).timestamp()


def token_of(reply: bytes) -> str:
    return reply[9:].split(b'"')[1].decode()


def sia_line(account: str, data: str, key: str | None = None, seq: str = "0042",
             offset_s: float = 0, msg_type: str = "SIA-DCS") -> str:
    """A line in pysiaalarm's layout with our own data (a zone), encrypted with its helper."""
    ts = (datetime.now(UTC) - timedelta(seconds=offset_s)).strftime("_%H:%M:%S,%m-%d-%Y")
    content = f"|{data}]{ts}"
    body = _encrypt_content(key, content) if key else content
    line = f'"{"*" if key else ""}{msg_type}"{seq}L0#{account}[{body}'
    return f"{crc_calc(line)}{len(line):04X}{line}"


# --- the decoder against pysiaalarm's real-panel examples ---------------------------------------


@pytest.mark.parametrize(("line", "account", "code", "sent"), REAL_PANEL_LINES)
def test_real_panel_lines_are_answered_as_pysiaalarm_does(line: str, account: str, code: str,
                                                          sent: str | None) -> None:
    key = KEY if line[9] == "*" else None
    panels = {account: panel(account, key)}
    now = ts_of(sent) + 1 if sent else time.time()
    d = dc09_ip.decode(line.encode(), panels, now)
    oracle = SIAEvent.from_line(line, {account: SIAAccount(account, key,
                                                           allowed_timeband=None)})
    if not oracle.valid_message:  # pysiaalarm finds the CRC wrong too
        assert (d.answer, d.rejection and d.rejection.reason) == ("nak", "bad_crc")
        assert d.reply[9:].startswith(b'"NAK"0000R0L0A0[]_')
        return
    assert d.answer == "ack", d.rejection
    if key is None:
        # (pysiaalarm writes "None" for an absent receiver: compared without it)
        assert d.reply[9:-1] == oracle.create_response()[9:-1].replace(b"None", b"")
    else:
        assert token_of(d.reply) == "*ACK"
        plain = dc09_ip.decrypt_hex(key, d.reply.split(b"[", 1)[1].strip().decode())
        assert plain is not None and plain.startswith("]_")
    kinds = [(s.kind, s.condition, s.zone) for s in d.signals]
    assert kinds == ({"PA": [("panic", "active", "501")]}.get(code, []))


def test_a_real_line_outside_the_window_is_refused() -> None:
    line, account, _code, sent = REAL_PANEL_LINES[5]  # the panic alarm
    assert sent is not None
    d = dc09_ip.decode(line.encode(), {account: panel(account)}, ts_of(sent) + 41)
    assert (d.answer, d.rejection and d.rejection.reason, d.signals) == (
        "nak", "bad_timestamp", [])
    # the NAK carries the receiver's time for the panel to correct its clock
    assert d.reply.endswith(datetime.fromtimestamp(ts_of(sent) + 41, UTC).strftime(
        "_%H:%M:%S,%m-%d-%Y\r").encode())
    assert dc09_ip.decode(line.encode(), {account: panel(account)},
                          ts_of(sent) - 21).answer == "nak"  # 21 s ahead of the receiver
    assert dc09_ip.decode(line.encode(), {account: panel(account)},
                          ts_of(sent) + 39).answer == "ack"


@pytest.mark.parametrize("key", [None, KEY])
@pytest.mark.parametrize(("msg_type", "code"), [("SIA-DCS", "RP"), ("SIA-DCS", "GA"),
                                                ("SIA-DCS", "FA"), ("ADM-CID", "RP"),
                                                ("NULL", "RP")])
def test_pysiaalarm_helper_lines(key: str | None, msg_type: str, code: str) -> None:
    panels = {"1111": panel("1111", key)}
    line = create_test_line("1111", key, code, msg_type=msg_type)
    d = dc09_ip.decode(line.encode(), panels, time.time())
    assert d.answer == "ack", d.rejection
    assert token_of(d.reply) == ("*ACK" if key else "ACK")
    assert d.panel is not None and d.panel.id == "panel-1111"
    expected = {"GA": "gas_alarm", "FA": "fire"}.get(code) if msg_type == "SIA-DCS" else None
    # pysiaalarm's helper sends zone 000 (the panel itself): an alert on the panel, no flat
    assert [(s.kind, s.zone) for s in d.signals] == ([(expected, None)] if expected else [])
    oracle = SIAEvent.from_line(line, {"1111": SIAAccount("1111", key)})
    assert oracle.response is not None and oracle.response.value == "ACK"


@pytest.mark.parametrize("msg_type", ["SIA-DCS", "ADM-CID"])
def test_wrong_key_stale_time_and_bad_crc_are_naked(msg_type: str) -> None:
    code = "RP"
    good = {"1111": panel("1111", KEY)}
    for line, reason in (
            (create_test_line("1111", KEY, code, msg_type=msg_type, alter_key=True), "bad_key"),
            (create_test_line("1111", KEY, code, msg_type=msg_type,
                              time_offset=timedelta(seconds=100)), "bad_timestamp"),
            (create_test_line("1111", None, code, msg_type=msg_type,
                              time_offset=timedelta(seconds=100)), "bad_timestamp"),
            (create_test_line("1111", KEY, code, msg_type=msg_type, alter_crc=True), "bad_crc"),
            (create_test_line("2222", None, code, msg_type=msg_type), "unknown_account")):
        d = dc09_ip.decode(line.encode(), good if "*" in line else {"1111": panel("1111")},
                           time.time())
        assert (d.answer, d.rejection and d.rejection.reason) == ("nak", reason), line
        assert d.reply[9:].startswith(b'"NAK"0000R0L0A0[]_')
        assert d.signals == [] and d.panel is None


def test_sia_dcs_zones_map_to_flats_and_restores() -> None:
    panels = {"1111": panel("1111", KEY)}
    for data, expected in (("Nri1/GA001", ("gas_alarm", "active", "001")),
                           ("Nri1/GH001", ("gas_alarm", "restored", "001")),
                           ("Nri1/MA002", ("medical", "active", "002")),
                           ("Nri1/FA129", ("fire", "active", "129")),
                           ("Nri0/AT000", ("power_loss", "active", None))):
        d = dc09_ip.decode(sia_line("1111", data, KEY).encode(), panels, time.time())
        assert [(s.kind, s.condition, s.zone) for s in d.signals] == [expected], data
    # Contact ID inside, encrypted, the account in the data block
    d = dc09_ip.decode(sia_line("1111", "1151 01 002", KEY, msg_type="ADM-CID").encode(),
                       panels, time.time())
    assert [(s.kind, s.zone) for s in d.signals] == [("gas_alarm", "002")]
    # a code outside the mapping: taken (ACK) and quarantined, as on the serial line
    d = dc09_ip.decode(sia_line("1111", "Nri1/ZX001", KEY).encode(), panels, time.time())
    assert (d.answer, d.rejection and d.rejection.reason) == ("ack", "unknown_event")
    # in clear from an account that has a key: refused, else the key would protect nothing
    d = dc09_ip.decode(sia_line("1111", "Nri1/GA001").encode(), panels, time.time())
    assert (d.answer, d.rejection and d.rejection.reason) == ("nak", "not_encrypted")
    # an encrypted message without a timestamp is refused (it could be a replay)
    body = _encrypt_content(KEY, "|Nri1/GA001]")
    line = f'"*SIA-DCS"0043L0#1111[{body}'
    d = dc09_ip.decode(f"{crc_calc(line)}0000{line}".encode(), panels, time.time())
    assert (d.answer, d.rejection and d.rejection.reason) == ("nak", "bad_timestamp")


# --- on the network ---------------------------------------------------------------------------


def _tcp(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        reply = b""
        while not reply.endswith(b"\r"):
            chunk = s.recv(1024)
            assert chunk, "connection closed without an answer"
            reply += chunk
        return reply


def _udp(port: int, data: bytes) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(10)
        s.sendto(data, ("127.0.0.1", port))
        return s.recv(4096)


@pytest.mark.parametrize("transport", ["tcp", "udp"])
@pytest.mark.parametrize("key", [None, KEY])
def test_over_the_network(transport: str, key: str | None) -> None:
    gw = FakeGateway()
    server = DC09Server(gw, [panel("1111", key)], "127.0.0.1", 0).start()
    send = _tcp if transport == "tcp" else _udp
    port = server.tcp_port if transport == "tcp" else server.udp_port
    try:
        framed = b"\n" + sia_line("1111", "Nri1/GA001", key).encode() + b"\r"
        replies: list[bytes] = []
        t = threading.Thread(target=lambda: replies.append(send(port, framed)))
        t.start()
        wait_until("submitted", lambda: gw.submitted, 10)
        assert replies == []  # no ACK before the signal is recorded
        gw.release.set()
        t.join(10)
        assert token_of(replies[0]) == ("*ACK" if key else "ACK")
        [sig] = gw.submitted[0].signals
        assert (sig.device, sig.kind, sig.zone) == ("panel-1111", "gas_alarm", "001")
        # pysiaalarm's unframed line (no LF/CR) over the same transport
        assert token_of(send(port, create_test_line("1111", key, "FA").encode())) == (
            "*ACK" if key else "ACK")
        # a stale one: NAK at once, nothing submitted, quarantined
        before = len(gw.submitted)
        stale = create_test_line("1111", key, "GA", time_offset=timedelta(seconds=100))
        assert token_of(send(port, stale.encode())) == "NAK"
        assert len(gw.submitted) == before
        assert [r.reason for r in gw.quarantine.items()] == ["bad_timestamp"]
        if transport == "tcp":  # several on one connection, the last one cut short
            two = (b"\n" + sia_line("1111", "Nri1/GH001", key, seq="0044").encode() + b"\r"
                   + create_test_line("1111", key, "RP")[:30].encode())
            reply = _tcp(port, two)
            assert token_of(reply) == ("*ACK" if key else "ACK")
    finally:
        server.stop()
        gw.close()
