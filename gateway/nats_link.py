"""The gateway's NATS connection, for replicas on a NATS cluster with JetStream: the only
module that imports nats-py.

Devices speak MQTT 3.1.1 to any node of the cluster; nats-server turns the topic
`estate/v1/{site}/{device}/evt` into the subject `estate.v1.{site}.{device}.evt`.

- Events go into a replicated work-queue stream (R3, on file). Every replica pulls from one
  durable consumer, so each event goes to one replica; it is acknowledged (explicitly) only
  after the gateway has recorded it in its outbox (`ack()`, ARCHITECTURE §8). A replica that
  dies leaves its unacknowledged events to be redelivered to another after `ACK_WAIT_S`;
  (device, boot, seq) keys make a redelivered event raise nothing twice.
- Telemetry, `state`, command results (`ack`) and a copy of every event reach every replica
  (plain subscriptions): each replica supervises every device, so the one that takes over
  supervision knows as much as the one that held it.
- Supervision is held by one replica at a time: a lease in a replicated JetStream key/value
  bucket, renewed every `RENEW_S`, that expires `LEASE_TTL_S` after the last renewal
  (`is_supervisor()`; docs/decisions.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from itertools import count

import nats
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import KeyWrongLastSequenceError

from gateway.messages import Inbound
from gateway.protocol import ProtocolError, device_topic, parse_telemetry
from gateway.telemetry_proc import FLUSH_S, TelemetryBatch, noting_connection

log = logging.getLogger("gateway.nats")

ACK_WAIT_S = 10.0  # an event a dead replica took is redelivered to another after this
MAX_IN_FLIGHT = 2000  # events taken but not yet acknowledged, per replica
FETCH = 256
LEASE_TTL_S = 10.0  # the supervision lease lapses this long after its last renewal
RENEW_S = 2.0
HOLD_S = 5.0  # a supervisor that could not renew for this long stops acting as one


def subject_of(topic: str) -> str:
    """MQTT topic -> NATS subject, as nats-server maps it (ids have no `.` or spaces)."""
    return topic.replace("/", ".")


def topic_of(subject: str) -> str:
    return subject.removeprefix(MQTT_PREFIX).replace(".", "/")


# nats-server stores every QoS 1 publish of an MQTT client in this stream (R3 here) before
# it sends the PUBACK; it is where an event is first durable (docs/decisions.md).
MQTT_STREAM = "$MQTT_msgs"
MQTT_PREFIX = "$MQTT.msgs."


def event_filter(site: str) -> str:
    return f"{MQTT_PREFIX}estate.v1.{site}.*.evt"


def consumer_name(site: str) -> str:
    return f"gateway-{site}"


def consumer_config(site: str) -> ConsumerConfig:
    # One durable consumer shared by every replica makes the stream a work queue for the
    # site's events: each goes to one replica and, the stream keeping messages only while a
    # consumer is interested, leaves the stream when that replica acknowledges it.
    return ConsumerConfig(durable_name=consumer_name(site), filter_subject=event_filter(site),
                          ack_policy=AckPolicy.EXPLICIT, ack_wait=ACK_WAIT_S,
                          max_ack_pending=4 * MAX_IN_FLIGHT, max_deliver=-1)


class NatsTelemetry:
    """Heartbeats from the shared connection, validated and batched every `FLUSH_S`: the
    same interface as `TelemetryProcess`, so the gateway's telemetry thread is unchanged."""

    def __init__(self, site: str, devices: frozenset[str]) -> None:
        self.site, self.devices = site, devices
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self._batch = TelemetryBatch()
        self._out: queue.Queue[TelemetryBatch] = queue.Queue()

    def take(self, subject: str, payload: bytes, received_at: float) -> None:
        topic = topic_of(subject)
        try:
            t = device_topic(topic, self.site, self.devices)
            tel = parse_telemetry(t.device, payload)
        except ProtocolError as exc:
            with self._lock:
                self._batch.received += 1
                self._batch.rejected.append((received_at, topic, exc.reason, exc.detail,
                                             payload[:2048]))
            return
        with self._lock:
            self._batch.received += 1
            self._batch.seen[t.device] = (received_at, tel.batt, tel.lel)

    def flush(self, connected: bool) -> None:
        with self._lock:
            out, self._batch = self._batch, TelemetryBatch()
        out.connected = connected
        self._out.put(out)

    def start(self) -> None:
        pass  # fed by the link

    def batches(self, stopping: threading.Event) -> Iterator[TelemetryBatch]:
        while not stopping.is_set():
            try:
                b = self._out.get(timeout=0.5)
            except queue.Empty:
                continue
            yield noting_connection(b, self.connected)

    def stop(self) -> None:
        pass


class NatsLink:
    def __init__(self, servers: list[str], name: str, site: str, devices: frozenset[str],
                 on_message: Callable[[Inbound], None], on_heard: Callable[[str], None],
                 replicas: int = 3) -> None:
        for s in servers:
            if not s.startswith(("nats://", "tls://")):
                raise ValueError(f"NATS URL must start with nats:// or tls://, got {s!r}")
        self.servers, self.name, self.site = servers, name, site
        self.devices = devices
        self.replicas = replicas
        self._on_message = on_message
        self._on_heard = on_heard
        self.connected = threading.Event()
        self.telemetry = NatsTelemetry(site, devices)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="gateway-nats", daemon=True)
        self._stopping: asyncio.Event | None = None
        self._nc: nats.NATS | None = None
        self._mids = count(1)
        self._taken: dict[int, Msg] = {}  # mid -> the JetStream message to acknowledge
        self._lease_rev: int | None = None
        self._lease_until = 0.0

    # -- called from the gateway's threads ------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=10)

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> None:
        """A command to a device: nats-server hands it to the device's MQTT subscription."""
        self._loop.call_soon_threadsafe(self._publish, subject_of(topic), payload)

    def ack(self, msg: Inbound) -> None:
        if msg.qos > 0:
            self._loop.call_soon_threadsafe(self._ack, msg.mid)

    def is_supervisor(self) -> bool:
        return self._lease_rev is not None and time.monotonic() < self._lease_until

    # -- the event loop's thread -----------------------------------------------------------

    def _publish(self, subject: str, payload: bytes) -> None:
        if self._nc is not None:
            self._loop.create_task(self._nc.publish(subject, payload))

    def _ack(self, mid: int) -> None:
        m = self._taken.pop(mid, None)
        if m is not None:
            self._loop.create_task(m.ack())

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        except Exception:
            log.exception("the NATS link ended")
        finally:
            self.connected.clear()
            self._loop.close()

    async def _main(self) -> None:
        stopping = self._stopping = asyncio.Event()
        nc = await self._connect(stopping)
        if nc is None:
            return
        await self._subscribe(nc)
        self.connected.set()
        log.info("connected to NATS at %s", nc.connected_url.netloc if nc.connected_url
                 else "?")
        tasks = [asyncio.create_task(self._consume()), asyncio.create_task(self._lease()),
                 asyncio.create_task(self._flush_telemetry())]
        await stopping.wait()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._close(nc)

    async def _connect(self, stopping: asyncio.Event) -> nats.NATS | None:
        """Connect, retrying until a server answers (None: stopped first)."""
        while not stopping.is_set():
            try:
                self._nc = await nats.connect(
                    servers=self.servers, name=self.name, max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5, connect_timeout=2, ping_interval=5,
                    max_outstanding_pings=2, disconnected_cb=self._disconnected,
                    reconnected_cb=self._reconnected, error_cb=self._error,
                    pending_size=64 * 1024 * 1024, dont_randomize=True)
                break
            except Exception as exc:  # no server up yet: keep trying, like paho does
                log.warning("cannot reach NATS (%s); retrying", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), 1.0)
        return self._nc

    async def _disconnected(self) -> None:
        self.connected.clear()
        log.warning("disconnected from NATS")

    async def _reconnected(self) -> None:
        self.connected.set()
        log.info("reconnected to NATS at %s", self._nc.connected_url.netloc
                 if self._nc and self._nc.connected_url else "?")

    async def _error(self, exc: Exception) -> None:
        log.warning("NATS: %s", exc)

    async def _subscribe(self, nc: nats.NATS) -> None:
        base = f"estate.v1.{self.site}.*"
        received = time.time

        async def on_tel(m: Msg) -> None:
            self.telemetry.take(m.subject, m.data, received())

        async def on_plain(m: Msg) -> None:  # state and command results: everyone's
            self._on_message(Inbound(topic_of(m.subject), m.data, 0, False, 0, received()))

        async def on_evt_copy(m: Msg) -> None:  # the device spoke: supervision only
            self._on_heard(m.subject.split(".")[3])

        await nc.subscribe(f"{base}.tel", cb=on_tel, pending_msgs_limit=1_000_000,
                           pending_bytes_limit=256 * 1024 * 1024)
        await nc.subscribe(f"{base}.state", cb=on_plain)
        await nc.subscribe(f"{base}.ack", cb=on_plain)
        await nc.subscribe(f"{base}.evt", cb=on_evt_copy)

    async def _close(self, nc: nats.NATS) -> None:
        # Give the lease back, so another replica supervises at once rather than after
        # the lease lapses.
        if self._lease_rev is not None:
            with contextlib.suppress(Exception):
                kv = await nc.jetstream().key_value(self._bucket)
                await kv.delete("supervisor", last=self._lease_rev)
        with contextlib.suppress(Exception):
            await nc.drain()

    async def _flush_telemetry(self) -> None:
        assert self._nc is not None
        while True:
            await asyncio.sleep(FLUSH_S)
            self.telemetry.flush(self._nc.is_connected)

    async def _consume(self) -> None:
        nc = self._nc
        assert nc is not None
        js = nc.jetstream(timeout=5)
        sub = None
        waited = False
        while sub is None:
            try:
                # nats-server creates its MQTT streams when the first device connects.
                await js.stream_info(MQTT_STREAM)
                sub = await js.pull_subscribe(event_filter(self.site),
                                              durable=consumer_name(self.site),
                                              stream=MQTT_STREAM,
                                              config=consumer_config(self.site))
            except Exception as exc:  # no device yet, or the cluster is electing leaders
                if not waited:
                    log.info("waiting for the MQTT event stream (%s)", exc)
                waited = True
                await asyncio.sleep(1.0)
        log.info("consuming events from %s as %s", MQTT_STREAM, consumer_name(self.site))
        while True:
            room = MAX_IN_FLIGHT - len(self._taken)
            if room <= 0:
                await asyncio.sleep(0.01)  # the worker records and acknowledges
                continue
            try:
                msgs = await sub.fetch(min(FETCH, room), timeout=1.0)
            except TimeoutError:
                continue
            except Exception as exc:  # a node went away mid-request: ask again
                log.warning("fetching events: %s", exc)
                await asyncio.sleep(0.5)
                continue
            now = time.time()
            for m in msgs:
                mid = next(self._mids)
                self._taken[mid] = m
                self._on_message(Inbound(topic_of(m.subject), m.data, 1, False, mid, now))

    @property
    def _bucket(self) -> str:
        return f"butler-gw-{self.site}"

    async def _lease(self) -> None:
        nc = self._nc
        assert nc is not None
        js = nc.jetstream(timeout=3)
        kv = None
        me = self.name.encode()
        while True:
            try:
                if kv is None:
                    kv = await js.create_key_value(bucket=self._bucket, history=1,
                                                   ttl=LEASE_TTL_S, replicas=self.replicas)
                if self._lease_rev is None:
                    self._lease_rev = await kv.create("supervisor", me)
                    log.warning("%s now supervises the devices of site %s", self.name,
                                self.site)
                else:
                    self._lease_rev = await kv.update("supervisor", me, last=self._lease_rev)
                self._lease_until = time.monotonic() + HOLD_S
            except KeyWrongLastSequenceError:
                if self._lease_rev is not None:
                    log.warning("%s lost the supervision lease", self.name)
                self._lease_rev = None  # another replica holds it
            except Exception as exc:  # no quorum for a moment: keep the lease until HOLD_S
                log.warning("supervision lease: %s", exc)
            await asyncio.sleep(RENEW_S)
