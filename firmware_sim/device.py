"""One simulated device: counters, state, its MQTT connection with last will, heartbeat,
reconnect with backoff, and QoS 1 events that survive a disconnect."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from dataclasses import dataclass, field

from firmware_sim import payloads
from firmware_sim.wire import MqttClient, MqttError, Will

log = logging.getLogger("firmware_sim.device")


@dataclass
class Pending:
    seq: int
    payload: bytes


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
    password: str | None = None
    lel: float = 0.0
    pressed: bool = False
    valve: str = "open"
    pending: list[Pending] = field(default_factory=list)
    client: MqttClient | None = None
    online_wanted: bool = True
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def t(self, channel: str) -> str:
        return payloads.topic(self.site, self.id, channel)

    def new_client(self) -> MqttClient:
        return MqttClient(
            self.host, self.port, self.id, keepalive=60, clean=True,
            will=Will(self.t("state"), b"offline", 1, True),
            username=self.id if self.password else None, password=self.password,
            on_message=self._on_message,
        )

    async def run(self, stop: asyncio.Event, gate: asyncio.Semaphore | None = None) -> None:
        """Stay connected until `stop`; heartbeat every interval; resend pending events.
        `gate` bounds how many devices of a simulation are connecting at the same moment."""
        backoff = 1.0
        gate = gate or asyncio.Semaphore(1)
        while not stop.is_set():
            if not self.online_wanted:
                await asyncio.sleep(0.2)
                continue
            self.client = self.new_client()
            try:
                async with gate:
                    await self.client.connect()
                    await self.client.subscribe(self.t("cmd"), 1)
                    await self.client.publish(self.t("state"), b"online", qos=1, retain=True)
                backoff = 1.0
                await self._flush_pending()
                await self._heartbeat_until_closed(stop)
            except (OSError, MqttError, TimeoutError) as exc:
                log.debug("%s: connection failed: %s", self.id, exc)
            if stop.is_set():
                break
            # Reconnect with jittered exponential backoff, as real devices do after an outage.
            await asyncio.sleep(backoff * random.uniform(0.5, 1.5))
            backoff = min(backoff * 2, 30.0)
        if self.client is not None:
            await self.client.disconnect()

    async def _heartbeat_until_closed(self, stop: asyncio.Event) -> None:
        assert self.client is not None
        first = random.uniform(0, self.interval_s)  # spread the building's heartbeats
        delay = first
        while self.client.connected and not stop.is_set() and self.online_wanted:
            closed = asyncio.ensure_future(self.client.closed.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({closed, stopped}, timeout=delay,
                               return_when=asyncio.FIRST_COMPLETED)
            for f in (closed, stopped):
                f.cancel()
            if self.client.connected and not stop.is_set() and self.online_wanted:
                await self.send_telemetry()
            delay = self.interval_s
        if not self.online_wanted and self.client.connected:
            self.client.drop()

    async def send_telemetry(self) -> None:
        if self.client is None or not self.client.connected:
            return
        self.seq += 1
        fields: dict[str, object] = {"batt": 95}
        if self.kind == "gas_detector":
            fields["lel"] = round(self.lel, 1)
        with contextlib.suppress(MqttError, OSError):
            await self.client.publish(self.t("tel"),
                                      payloads.telemetry(self.seq, self.boot, **fields), qos=0)

    async def raise_event(self, etype: str, state: str, **extra: object) -> int:
        """Queue an event at QoS 1 and send it now if connected. Returns its seq."""
        self.seq += 1
        p = Pending(self.seq, payloads.event(self.seq, self.boot, etype, state, **extra))
        self.pending.append(p)
        if self.client is not None and self.client.connected:
            await self._flush_pending()
        return p.seq

    async def _flush_pending(self) -> None:
        while self.pending and self.client is not None and self.client.connected:
            p = self.pending[0]
            try:
                await self.client.publish(self.t("evt"), p.payload, qos=1)
            except (MqttError, OSError, TimeoutError):
                return  # kept; sent again after the reconnect
            self.pending.pop(0)

    def _on_message(self, topic: str, payload: bytes) -> None:
        if not topic.endswith("/cmd"):
            return
        try:
            cmd = json.loads(payload)
            cmd_id, name = str(cmd["id"]), str(cmd["cmd"])
        except (ValueError, KeyError, TypeError):
            return
        task = asyncio.ensure_future(self._obey(cmd_id, name))
        self._tasks.add(task)  # keep a reference until done, or the loop may drop it
        task.add_done_callback(self._tasks.discard)

    async def _obey(self, cmd_id: str, name: str) -> None:
        ok, error = True, None
        if name in ("valve_close", "valve_open") and self.kind == "gas_detector":
            self.valve = "closed" if name == "valve_close" else "open"
            await self.raise_event("valve", self.valve)
        elif name not in ("silence", "self_test", "reboot", "valve_close", "valve_open"):
            ok, error = False, f"unknown command {name!r}"
        elif name in ("valve_close", "valve_open"):
            ok, error = False, "no valve on this device"
        self.seq += 1
        if self.client is not None and self.client.connected:
            with contextlib.suppress(MqttError, OSError, TimeoutError):
                await self.client.publish(
                    self.t("ack"), payloads.command_result(cmd_id, ok, self.seq, self.boot, error),
                    qos=1)
