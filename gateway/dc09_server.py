"""The DC-09 receiver on the network: alarm panels that report over IP (TCP and UDP) instead of,
or as well as, a serial line. Each message is decoded by gateway/dc09_ip.py; its signals are
submitted to the gateway and the ACK is sent only once they are durably recorded (§8), exactly
as the serial link does; NAK and DUH go back at once. Refused messages are quarantined.

TCP: a panel keeps a connection open and sends messages `LF ... CR` one after another (some send
no LF/CR: a message that has arrived whole, its CRC right, is taken without waiting for a CR;
anything left incomplete for `IDLE_S` is answered with a NAK). UDP: one message a datagram,
answered to the sender's address.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from typing import Protocol

from config import Panel
from gateway.dc09_ip import Decoded, decode
from gateway.quarantine import Quarantine, Rejected
from gateway.service import Submitted

log = logging.getLogger("gateway.dc09")

IDLE_S = 1.0
MAX_LINE = 4096


class GatewayLike(Protocol):
    quarantine: Quarantine

    def submit(self, item: Submitted) -> None: ...


class Receiver:
    """Decodes one message and acts on it; `send` writes the answer back."""

    def __init__(self, gateway: GatewayLike, panels: list[Panel],
                 clock: Callable[[], float] = time.time) -> None:
        self.gateway = gateway
        self.panels = {p.account.upper(): p for p in panels}
        self.clock = clock
        self.counts = {"ack": 0, "nak": 0, "duh": 0}
        self._lock = threading.Lock()

    def handle(self, line: bytes, source: str, send: Callable[[bytes], None]) -> Decoded:
        now = self.clock()
        d = decode(line, self.panels, now)
        if d.rejection is not None:
            log.warning("%s: %s (%s), %s", source, d.rejection.reason, d.rejection.detail,
                        d.answer.upper())
            self.gateway.quarantine.add(Rejected(now, f"dc09 {source}", d.rejection.reason,
                                                 d.rejection.detail, line[:2048]))

        def answer() -> None:
            with self._lock:
                self.counts[d.answer] += 1
            try:
                send(d.reply)
            except OSError as exc:
                log.info("%s: answer not sent (%s); the panel will retransmit", source, exc)

        if d.panel is not None:
            for s in d.signals:
                log.info("%s: %s %s %s%s", source, d.panel.id, s.kind, s.condition,
                         f" zone {s.zone}" if s.zone else "")
            self.gateway.submit(Submitted(d.signals, heard=[d.panel.id], on_recorded=answer))
        else:
            answer()
        return d


class _TCPHandler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(IDLE_S)
        source = f"tcp {self.client_address[0]}:{self.client_address[1]}"
        buf = b""
        write_lock = threading.Lock()

        def send(data: bytes) -> None:
            with write_lock:
                sock.sendall(data)

        while not self.server.stopping.is_set():
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                if buf.strip(b"\r\n"):  # an incomplete message: the NAK makes the panel resend
                    self.server.receiver.handle(buf, source, send)
                buf = b""
                continue
            except OSError:
                return
            if not chunk:
                return
            buf = self._lines(buf + chunk, source, send)

    def _lines(self, buf: bytes, source: str, send: Callable[[bytes], None]) -> bytes:
        """Handle the complete messages in `buf`; return what is left."""
        while b"\r" in buf:
            line, buf = buf.split(b"\r", 1)
            if line.strip(b"\n"):
                self.server.receiver.handle(line, source, send)
        if (buf.strip(b"\n") and _whole(buf)) or len(buf) > MAX_LINE:
            self.server.receiver.handle(buf, source, send)
            return b""
        return buf


def _whole(buf: bytes) -> bool:
    """A message without CR that is complete: its CRC matches what follows the header."""
    from gateway.sia import crc16_arc

    body = buf.lstrip(b"\n")
    try:
        return len(body) > 8 and int(body[:4], 16) == crc16_arc(body[8:])
    except ValueError:
        return False


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], receiver: Receiver) -> None:
        self.receiver = receiver
        self.stopping = threading.Event()
        super().__init__(addr, _TCPHandler)


class _UDPHandler(socketserver.BaseRequestHandler):
    server: _UDPServer

    def handle(self) -> None:
        data, sock = self.request
        addr = self.client_address
        self.server.receiver.handle(data, f"udp {addr[0]}:{addr[1]}",
                                    lambda reply: sock.sendto(reply, addr))


class _UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True

    def __init__(self, addr: tuple[str, int], receiver: Receiver) -> None:
        self.receiver = receiver
        super().__init__(addr, _UDPHandler)


class DC09Server:
    """TCP and UDP listeners on `host`; port 0 picks free ones (see `tcp_port`, `udp_port`)."""

    def __init__(self, gateway: GatewayLike, panels: list[Panel], host: str = "0.0.0.0",
                 tcp_port: int = 0, udp_port: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.receiver = Receiver(gateway, panels, clock)
        self._tcp = _TCPServer((host, tcp_port), self.receiver)
        self._udp = _UDPServer((host, tcp_port if udp_port is None else udp_port),
                               self.receiver)
        self._threads: list[threading.Thread] = []

    @property
    def tcp_port(self) -> int:
        return int(self._tcp.server_address[1])

    @property
    def udp_port(self) -> int:
        return int(self._udp.server_address[1])

    def start(self) -> DC09Server:
        for srv, name in ((self._tcp, "dc09-tcp"), (self._udp, "dc09-udp")):
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                 name=name, daemon=True)
            t.start()
            self._threads.append(t)
        log.info("DC-09 receiver on TCP %d and UDP %d for %d accounts", self.tcp_port,
                 self.udp_port, len(self.receiver.panels))
        return self

    def stop(self) -> None:
        self._tcp.stopping.set()
        for srv in (self._tcp, self._udp):
            srv.shutdown()
            srv.server_close()
        for t in self._threads:
            t.join(5)
