"""Telemetry ingest in a process of its own.

Heartbeats are most of the traffic (10,000 devices at one a second), and paho's packet
handling is pure Python: in the gateway's process it would take the GIL from everything
else. This process subscribes to the site's telemetry, validates every message against the
contract, and every 100 ms sends the gateway one batch: each device's latest heartbeat
(what supervision and health need), the rejected messages (for the quarantine) and counts.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from gateway.protocol import ProtocolError, device_topic, parse_event, parse_state, parse_telemetry

if TYPE_CHECKING:
    from gateway.mqtt_link import LinkOptions

FLUSH_S = 0.1


@dataclass
class TelemetryBatch:
    received: int = 0
    connected: bool = False
    seen: dict[str, tuple[float, int | None, float | None]] = field(default_factory=dict)
    rejected: list[tuple[float, str, str, str, bytes]] = field(default_factory=list)
    # The identity of each device's latest message (supervision keys, supervision.py); on a
    # replica also the states seen (device -> (received at, online)): gateway/replicas.py.
    marks: dict[str, str] = field(default_factory=dict)
    states: dict[str, tuple[float, bool]] = field(default_factory=dict)


def noting_connection(b: TelemetryBatch, connected: threading.Event) -> TelemetryBatch:
    """Set or clear `connected` as the batch says; return the batch (both telemetry sources
    hand their batches to the gateway through this)."""
    if b.connected:
        connected.set()
    else:
        connected.clear()
    return b


def _run(url: str, client_id: str, site: str, devices: frozenset[str], conn: Connection,
         subscriptions: list[tuple[str, int]], options: LinkOptions | None) -> None:
    from config.logs import setup as setup_logs
    from config.settings import LOG_FORMAT
    from gateway.mqtt_link import MqttLink  # paho stays behind the link module

    # A spawned process starts with no log handler: the gateway's format (its --log-format
    # is put in the environment the child inherits).
    setup_logs(LOG_FORMAT.read())

    # The gateway decides when this process ends: Ctrl-C or a SIGTERM sent to the whole
    # process group reach the gateway, which then closes the pipe; a send to a closed pipe
    # (or a gateway that died) ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    lock = threading.Lock()
    batch = TelemetryBatch()

    def on_message(msg: object) -> None:
        nonlocal batch
        topic, payload, received_at = msg.topic, msg.payload, msg.received_at  # type: ignore[attr-defined]
        try:
            t = device_topic(topic, site, devices)
            if t.channel != "tel":
                _sign_of_life(t.device, t.channel, payload, received_at)
                return
            tel = parse_telemetry(t.device, payload)
        except ProtocolError as exc:
            with lock:
                batch.received += 1
                batch.rejected.append((received_at, topic, exc.reason, exc.detail,
                                       payload[:2048]))
            return
        with lock:
            batch.received += 1
            batch.seen[t.device] = (received_at, tel.batt, tel.lel)
            batch.marks[t.device] = f"tel:{tel.boot}:{tel.seq}"

    def _sign_of_life(device: str, channel: str, payload: bytes, received_at: float) -> None:
        """A replica's copy of a state or an event: who spoke, not what it said (the event
        itself is recorded by whichever replica the shared subscription gave it to, which
        also quarantines it if it is malformed)."""
        with lock:
            batch.received += 1  # the gateway forwards only batches that took something in
        try:
            if channel == "state":
                if payload == b"":
                    return
                online = parse_state(payload)
                with lock:
                    batch.states[device] = (received_at, online)
                return
            ev = parse_event(device, payload)
        except ProtocolError:
            return
        with lock:
            batch.marks[device] = f"evt:{ev.boot}:{ev.seq}"
            _, batt, lel = batch.seen.get(device, (received_at, None, None))
            batch.seen[device] = (received_at, batt, lel)

    link = MqttLink(url, client_id, subscriptions, on_message, persistent=False,
                    options=options)
    link.start()
    try:
        while True:
            time.sleep(FLUSH_S)
            with lock:
                out, batch = batch, TelemetryBatch()
            out.connected = link.connected.is_set()
            conn.send(out)
    except (BrokenPipeError, EOFError, OSError):
        pass  # the gateway went away
    finally:
        with contextlib.suppress(Exception):
            link.stop()


class TelemetryProcess:
    def __init__(self, url: str, client_id: str, site: str, devices: frozenset[str],
                 subscriptions: list[tuple[str, int]] | None = None,
                 options: LinkOptions | None = None) -> None:
        ctx = mp.get_context("spawn")  # the gateway has threads: never fork it
        self._recv, self._send = ctx.Pipe(duplex=False)
        self.connected = threading.Event()
        self._proc = ctx.Process(target=_run, name="gateway-telemetry", daemon=True,
                                 args=(url, client_id, site, devices, self._send,
                                       subscriptions or [(f"estate/v1/{site}/+/tel", 0)],
                                       options))

    def start(self) -> None:
        self._proc.start()
        self._send.close()  # the child holds the only writing end now

    def batches(self, stopping: threading.Event):  # type: ignore[no-untyped-def]
        """Yield batches as they come, until `stopping` or the process ends."""
        while not stopping.is_set():
            try:
                if not self._recv.poll(0.5):
                    if not self._proc.is_alive():
                        return
                    continue
                b: TelemetryBatch = self._recv.recv()
            except (EOFError, OSError):  # the child ended, or stop() closed the pipe
                return
            yield noting_connection(b, self.connected)

    def stop(self) -> None:
        self._recv.close()  # the child's next send fails and it leaves
        self._proc.join(3)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(3)
