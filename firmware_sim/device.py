"""One simulated device on the network: counters, behaviour, its MQTT connection with last
will, heartbeat, reconnect with backoff, QoS 1 events that survive a disconnect or a reboot,
and the faults a test may inject (duplicates, reordering, clock skew, spoofing)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import ssl
from dataclasses import dataclass, field

from firmware_sim import payloads
from firmware_sim.behaviour import GasDetector, Latch, PanicButton, Report
from firmware_sim.wire import MqttClient, MqttError, Will

log = logging.getLogger("firmware_sim.device")

RECONNECT_MIN_S = 1.0
RECONNECT_MAX_S = 30.0


@dataclass
class Pending:
    seq: int
    payload: bytes
    topic: str


@dataclass
class SimDevice:
    id: str
    kind: str  # gas_detector | panic_button
    unit: str
    site: str
    host: str
    port: int
    boot: int = 0
    seq: int = 0
    interval_s: float = 60.0
    password: str | None = None  # its broker account's (config/credentials.py)
    tls: ssl.SSLContext | None = None  # mqtts://: the broker's certificate is checked
    pending: list[Pending] = field(default_factory=list)
    client: MqttClient | None = None
    online_wanted: bool = True
    # Fault injection, each for the next event only (skew lasts until changed).
    duplicate_next: bool = False
    reorder_next: bool = False
    held: Pending | None = None
    skew_ms: int = 0
    drain_per_beat: int = 0
    hw: GasDetector | PanicButton = field(init=False)
    tamper: Latch = field(default_factory=lambda: Latch("tamper", "open", "closed"))
    fault: Latch = field(default_factory=lambda: Latch("fault", "active", "cleared"))
    mains: Latch = field(default_factory=lambda: Latch("power", "lost", "restored"))
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    # One sender at a time: the reconnect loop and a report may both flush, and each must
    # publish the head of the queue once, in order.
    _sending: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.hw = GasDetector() if self.kind == "gas_detector" else PanicButton()

    def t(self, channel: str, device: str | None = None) -> str:
        return payloads.topic(self.site, device or self.id, channel)

    @property
    def connected(self) -> bool:
        return self.client is not None and self.client.connected

    def new_client(self) -> MqttClient:
        return MqttClient(
            self.host, self.port, self.id, keepalive=60, clean=True,
            will=Will(self.t("state"), b"offline", 1, True),
            username=self.id if self.password else None, password=self.password,
            on_message=self._on_message, tls=self.tls,
        )

    # -- connection ------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, gate: asyncio.Semaphore | None = None) -> None:
        """Stay connected until `stop`; heartbeat every interval; resend pending events.
        `gate` bounds how many devices of a simulation are connecting at the same moment."""
        backoff = RECONNECT_MIN_S
        gate = gate or asyncio.Semaphore(1)
        while not stop.is_set():
            if not self.online_wanted:
                await self._sleep(stop, None)
                continue
            self.client = self.new_client()
            try:
                async with gate:
                    await self.client.connect()
                    await self.client.subscribe(self.t("cmd"), 1)
                    await self.client.publish(self.t("state"), b"online", qos=1, retain=True)
                backoff = RECONNECT_MIN_S
                await self._flush()
                await self._heartbeat_until_closed(stop)
            # EOFError: the broker closed the connection before its CONNACK (a NATS node
            # does while its cluster elects leaders); a device keeps trying.
            except (OSError, MqttError, TimeoutError, EOFError) as exc:
                log.debug("%s: connection failed: %s", self.id, exc)
                if self.client is not None:
                    self.client.drop()
            if stop.is_set():
                break
            if self.online_wanted:
                # Jittered exponential backoff, as real devices spread their reconnects.
                await self._sleep(stop, backoff * random.uniform(0.5, 1.5))
                backoff = min(backoff * 2, RECONNECT_MAX_S)
        if self.client is not None:
            await self.client.disconnect()

    async def _sleep(self, stop: asyncio.Event, timeout: float | None) -> None:
        """Sleep until timeout, stop, or a wake-up (back online, reboot)."""
        self._wake.clear()
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for w in waiters:
            w.cancel()

    async def _heartbeat_until_closed(self, stop: asyncio.Event) -> None:
        assert self.client is not None
        delay = random.uniform(0, self.interval_s)  # spread the building's heartbeats
        while self.client.connected and not stop.is_set() and self.online_wanted:
            closed = asyncio.ensure_future(self.client.closed.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({closed, stopped}, timeout=delay,
                               return_when=asyncio.FIRST_COMPLETED)
            for f in (closed, stopped):
                f.cancel()
            if self.client.connected and not stop.is_set() and self.online_wanted:
                await self.heartbeat()
            delay = self.interval_s

    def go_offline(self) -> None:
        """Off the network: the connection vanishes (the broker sends the last will) and the
        device stays away, queueing its events, until `go_online`."""
        self.online_wanted = False
        if self.client is not None:
            self.client.drop()

    def go_online(self) -> None:
        self.online_wanted = True
        self._wake.set()

    def reboot(self) -> None:
        """Power-cycle: the connection drops without DISCONNECT, the boot counter increments
        and the sequence restarts. Events queued before the reboot keep their old
        (boot, seq), as a device keeps them in flash, and are sent after it reconnects."""
        if self.client is not None:
            self.client.drop()
        self.boot += 1
        self.seq = 0
        self._wake.set()

    # -- what the device says ------------------------------------------------------------

    async def heartbeat(self) -> None:
        if not self.connected:
            return
        assert self.client is not None
        self.seq += 1
        fields: dict[str, object] = {"batt": self.hw.battery.pct}
        if isinstance(self.hw, GasDetector):
            fields["lel"] = self.hw.reading()
        with contextlib.suppress(MqttError, OSError, TimeoutError):
            await self.client.publish(
                self.t("tel"), payloads.telemetry(self.seq, self.boot, self._ts(), **fields))
        if self.drain_per_beat:
            await self.report(self.hw.battery.drain(self.drain_per_beat))

    def _ts(self) -> int:
        return payloads.now_ms() + self.skew_ms

    async def report(self, reports: list[Report], topic_device: str | None = None) -> list[int]:
        """Queue each report as a QoS 1 event and send what can be sent. Returns the seqs."""
        seqs = []
        for etype, state, extra in reports:
            self.seq += 1
            p = Pending(self.seq, payloads.event(self.seq, self.boot, etype, state, self._ts(),
                                                 **extra),
                        self.t("evt", topic_device))
            seqs.append(p.seq)
            if self.reorder_next:
                self.reorder_next = False
                self.held = p  # sent after the next event: the two arrive out of order
                continue
            self.pending.append(p)
            if self.duplicate_next:
                self.duplicate_next = False
                self.pending.append(p)  # the same event delivered twice
            if self.held is not None:
                self.pending.append(self.held)
                self.held = None
        await self._flush()
        return seqs

    async def publish_raw(self, channel: str, payload: bytes, topic_device: str | None = None
                          ) -> None:
        """Publish bytes as they are (the malformed-input catalogue), QoS 1."""
        self.pending.append(Pending(-1, payload, self.t(channel, topic_device)))
        await self._flush()

    async def _flush(self) -> None:
        async with self._sending:
            while self.pending and self.connected:
                assert self.client is not None
                p = self.pending[0]
                try:
                    await self.client.publish(p.topic, p.payload, qos=1)
                except (MqttError, OSError, TimeoutError):
                    return  # kept; sent again after the reconnect
                self.pending.pop(0)

    # -- stimuli -------------------------------------------------------------------------

    def stimulate(self, what: str, value: object = None) -> list[Report]:
        """A physical stimulus or condition: what the hardware then reports."""
        hw = self.hw
        if what == "gas" and isinstance(hw, GasDetector):
            return hw.set_level(float(value))  # type: ignore[arg-type]
        if what == "press" and isinstance(hw, PanicButton):
            return hw.press()
        if what == "reset" and isinstance(hw, PanicButton):
            return hw.reset()
        if what == "tamper":
            return self.tamper.set(bool(value))
        if what == "fault":  # value: the fault code, or None to clear
            return (self.fault.set(True, code=str(value)) if value
                    else self.fault.set(False))
        if what == "mains":
            return self.mains.set(bool(value))
        if what == "battery":
            if value == "replace":
                return hw.battery.replace()
            return hw.battery.drain(int(value))  # type: ignore[call-overload]
        if what == "valve_stuck" and isinstance(hw, GasDetector):
            hw.valve_stuck = bool(value)
            return []
        raise ValueError(f"{self.kind} {self.id} has no stimulus {what!r}")

    def _on_message(self, topic: str, payload: bytes) -> None:
        if not topic.endswith("/cmd"):
            return
        try:
            cmd = json.loads(payload)
            cmd_id, name = str(cmd["id"]), str(cmd["cmd"])
        except (ValueError, KeyError, TypeError):
            return  # a real device ignores what it cannot parse
        task = asyncio.ensure_future(self._obey(cmd_id, name))
        self._tasks.add(task)  # keep a reference until done, or the loop may drop it
        task.add_done_callback(self._tasks.discard)

    async def _obey(self, cmd_id: str, name: str) -> None:
        ok, error, reports = self.hw.command(name)
        log.info("%s: command %s %s: %s", self.id, cmd_id, name, "ok" if ok else error)
        await self.report(reports)
        self.seq += 1
        if self.connected:
            assert self.client is not None
            with contextlib.suppress(MqttError, OSError, TimeoutError):
                await self.client.publish(
                    self.t("ack"),
                    payloads.command_result(cmd_id, ok, self.seq, self.boot, error), qos=1)
        if ok and name == "reboot":
            self.reboot()
