"""The running gateway: MQTT and serial in; every alert signal durably recorded before the
source is acknowledged; the outbox drained to the control room highest priority first;
devices supervised; health reported on change.

Threads: paho's network loop and one reader per serial panel feed `inbox`; one worker owns
the ingestor and the supervisor (so neither needs locks); a drainer delivers the outbox
(gateway/delivery.py); a reporter sends device health.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar, cast

from config import Site
from gateway.classify import PRIORITY
from gateway.commands import CommandRelay
from gateway.controlroom_client import ControlRoomClient, Rejected, Unreachable
from gateway.delivery import Delivery
from gateway.ingest import Ingestor
from gateway.messages import Inbound, SignalOut
from gateway.metrics import Metrics, Snapshot
from gateway.mqtt_link import LinkOptions, MqttLink
from gateway.nats_link import NatsLink, NatsTelemetry
from gateway.outbox import Outbox
from gateway.protocol import topic
from gateway.quarantine import Quarantine
from gateway.quarantine import Rejected as QuarantineItem
from gateway.quarantine import deliver as deliver_quarantine
from gateway.replicas import plan
from gateway.supervision import Supervisor, Transition
from gateway.telemetry_proc import TelemetryBatch, TelemetryProcess
from gateway.valves import Note, Valves, valve_for

log = logging.getLogger("gateway")

HEALTH_EVERY_S = 2.0  # changes (online, battery, gas level) reach the board this fast
LAST_SEEN_EVERY_S = 30.0  # last-seen refresh for quiet devices; offline needs 3 intervals
TICK_S = 1.0  # supervision resolution
HEALTH_DEFER_ROUNDS = 5  # health waits at most this many rounds for the outbox to drain
NOTE_ATTEMPTS = 15  # a note waits this many health rounds for its alert to be delivered
BATCH = 500  # inbound messages recorded per outbox transaction
HEALTH_CHUNK = 5000  # devices per health report request
UNCLAIMED_KEEP_S = 30.0  # > the supervision lease's TTL plus its hold (gateway/nats_link.py)



@dataclass(frozen=True)
class Submitted:
    """Signals from another source (a serial panel): recorded, then `on_recorded` runs
    (the panel's ACK). `heard` are devices that spoke, for supervision."""

    signals: list[SignalOut]
    heard: list[str] = field(default_factory=list)
    on_recorded: Callable[[], None] | None = None


@dataclass(frozen=True)
class _Tick:
    now: float
    deaf: bool = False  # the broker links are down: the devices cannot be heard


_T = TypeVar("_T")


def _take(q: queue.Queue[_T], n: int) -> list[_T]:
    out: list[_T] = []
    while len(out) < n:
        try:
            out.append(q.get_nowait())
        except queue.Empty:
            break
    return out


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


class Gateway:
    def __init__(self, site: Site, mqtt_url: str, controlroom: ControlRoomClient,
                 state_dir: Path, client_id: str | None = None, replica: str | None = None,
                 shared_group: str | None = None, link: LinkOptions | None = None,
                 nats_servers: list[str] | None = None, nats_replicas: int = 3) -> None:
        self.site = site
        self.quarantine = Quarantine()
        self.ingestor = Ingestor(site, self.quarantine)
        self.controlroom = controlroom
        # A replica has its own session and its own outbox (gateway/replicas.py).
        subs = plan(site.id, replica, shared_group, client_id)
        link = replace(link or LinkOptions(), mqtt5=subs.mqtt5)
        self.outbox = Outbox(state_dir / subs.outbox_name)
        self.metrics = Metrics()
        self.valves = Valves(site.auto_valve_close, cast(dict[str, list[object]],
                                                         self.outbox.load("valves", {})))
        self.commands = CommandRelay(controlroom, lambda t, body: self.link.publish(t, body),
                                     self.outbox)
        self.notes: queue.Queue[tuple[Note, int]] = queue.Queue()
        # Events, states, command results, panels and ticks: never behind telemetry.
        self.inbox: queue.Queue[Inbound | Submitted | _Tick | TelemetryBatch] = queue.Queue()
        self._wake = threading.Event()
        self.stopping = threading.Event()
        self.delivery = Delivery(self.outbox, controlroom, self.metrics, self.quarantine,
                                 self.stopping)
        intervals = {d.id: float(d.supervision_interval_s) for d in site.devices.values()}
        intervals |= {p.id: float(p.test_report_interval_s) for p in site.panels.values()}
        self.supervisor = Supervisor(intervals, time.time(),
                                     offline=set(cast(list[str], self.outbox.load("offline", []))))
        # Two connections: a telemetry flood on one cannot delay an alarm on the other. The
        # telemetry one lives in a process of its own (own socket, broker queue and GIL) and
        # sends validated heartbeats in batches.
        # Whether this gateway raises supervision signals and reports device health: always
        # alone or on a shared subscription (keys agree across replicas, gateway/replicas.py);
        # among replicas on NATS, only the one holding the supervision lease.
        self.supervising: Callable[[], bool] = lambda: True
        self._unclaimed: list[Transition] = []  # seen while not supervising
        self.link: MqttLink | NatsLink
        self.tel: TelemetryProcess | NatsTelemetry
        if nats_servers:
            self.link = NatsLink(nats_servers, subs.client_id, site.id, frozenset(site.devices),
                                 self._urgent, lambda dev: self._urgent(Submitted([], [dev])),
                                 nats_replicas)
            self.tel = self.link.telemetry
            self.supervising = self.link.is_supervisor
        else:
            self.link = MqttLink(mqtt_url, subs.client_id, subs.urgent, self._urgent,
                                 options=link)
            self.tel = TelemetryProcess(mqtt_url, f"{subs.client_id}-tel", site.id,
                                        frozenset(site.devices), subs.telemetry, link)
        self._threads = [
            threading.Thread(target=self._work, name="gateway-worker", daemon=True),
            threading.Thread(target=self.delivery.drain, name="gateway-drainer", daemon=True),
            threading.Thread(target=self._report_health, name="gateway-health", daemon=True),
            threading.Thread(target=self._tick, name="gateway-ticker", daemon=True),
            threading.Thread(target=self._telemetry, name="gateway-telemetry", daemon=True),
        ]

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        self.tel.start()
        for t in self._threads:
            t.start()
        self.link.start()

    def stop(self) -> None:
        """Clean shutdown: stop taking messages; what is recorded stays in the outbox."""
        self.stopping.set()
        self.tel.stop()
        self.link.stop()
        for t in self._threads:
            t.join(timeout=5)
        self.outbox.save("offline", sorted(self.supervisor.offline))
        self.outbox.close()
        self.controlroom.close()

    def submit(self, item: Submitted) -> None:
        self._urgent(item)

    def _urgent(self, item: Inbound | Submitted | _Tick | TelemetryBatch) -> None:
        self.inbox.put(item)
        self._wake.set()

    def _telemetry(self) -> None:
        for batch in self.tel.batches(self.stopping):
            if batch.received:
                self._urgent(batch)
        if not self.stopping.is_set():
            log.error("the telemetry process ended: heartbeats are no longer taken in")

    def snapshot(self) -> Snapshot:
        """What /metrics reports now."""
        return Snapshot(self.metrics, dict(self.quarantine.counts), self.outbox.depth(),
                        self.outbox.oldest_age(), len(self.supervisor.offline),
                        len(self.supervisor.intervals))

    # -- the worker: record, then acknowledge ---------------------------------------------

    def _work(self) -> None:
        while not self.stopping.is_set():
            self._wake.clear()
            batch = _take(self.inbox, BATCH)
            if batch:
                self._record(batch)
            else:
                self._wake.wait(0.5)

    def _record(self, batch: list[Inbound | Submitted | _Tick | TelemetryBatch]) -> None:
        signals: list[SignalOut] = []
        transitions: list[Transition] = []
        started = time.time()
        for item in batch:
            more_signals, more_transitions = self._absorb(item, started)
            signals += more_signals
            transitions += more_transitions
        signals += [self._supervision_signal(t) for t in self._claim(transitions, started)]
        # Durable first (§8): the broker and panels are acknowledged only after this.
        self.outbox.put(signals)
        self.metrics.signals += len(signals)
        if transitions:
            self.outbox.save("offline", sorted(self.supervisor.offline))
        self._close_valves(signals, started)
        for item in batch:
            if isinstance(item, Inbound):
                self.link.ack(item)
            elif isinstance(item, Submitted) and item.on_recorded is not None:
                item.on_recorded()

    def _absorb(self, item: Inbound | Submitted | _Tick | TelemetryBatch,
                started: float) -> tuple[list[SignalOut], list[Transition]]:
        """What one item of the batch raises: signals, and supervision's transitions."""
        if isinstance(item, Inbound):
            return self._inbound(item, started)
        if isinstance(item, TelemetryBatch):
            return [], self._take_telemetry(item)
        if isinstance(item, Submitted):
            return list(item.signals), [
                t for dev in item.heard for t in self.supervisor.heard(dev, started)]
        return [], self._take_tick(item)

    def _inbound(self, item: Inbound,
                 started: float) -> tuple[list[SignalOut], list[Transition]]:
        self.metrics.received += 1
        self.metrics.lag_s = max(0.0, started - item.received_at)
        p = self.ingestor.process(item)
        transitions: list[Transition] = []
        if p.heard and item.topic.endswith("/ack") and not self.commands.on_ack(
                p.heard, item.payload):
            note = self.valves.on_ack(p.heard, item.payload)
            if note is not None:
                self.notes.put((note, 0))
                self.outbox.save("valves", self.valves.pending)
        if p.heard:
            transitions += self.supervisor.heard(
                p.heard, item.received_at, p.mark,
                said_online=item.topic.endswith("/state"))
        if p.gone:
            transitions += self.supervisor.last_will(p.gone, item.received_at)
        return list(p.signals), transitions

    def _take_telemetry(self, item: TelemetryBatch) -> list[Transition]:
        self.metrics.received += item.received
        self.ingestor.heartbeats(item.seen)
        transitions = self._signs_of_life(item)
        for when, topic_, reason, detail, payload in item.rejected:
            self.quarantine.add(QuarantineItem(when, topic_, reason, detail, payload))
        return transitions

    def _take_tick(self, item: _Tick) -> list[Transition]:
        if item.deaf:
            self.supervisor.deaf(list(self.site.devices), item.now)
        transitions = self.supervisor.tick(item.now)
        for note in self.valves.expire(item.now):
            self.notes.put((note, 0))
            self.outbox.save("valves", self.valves.pending)
        return transitions

    def _close_valves(self, signals: list[SignalOut], now: float) -> None:
        """A gas alarm closes its flat's valve (once recorded), unless it is on test."""
        for sig in signals:
            cmd = self.valves.close_for(sig, valve_for(self.site, sig), now,
                                        self.commands.on_test)
            if cmd is not None:
                log.warning("gas alarm at %s: closing the gas valve of %s", sig.device,
                            cmd.device)
                self.outbox.save("valves", self.valves.pending)
                self.link.publish(topic(self.site.id, cmd.device, "cmd"), cmd.payload)

    def _signs_of_life(self, item: TelemetryBatch) -> list[Transition]:
        """Heartbeats, and on a replica also states and event copies, in arrival order."""
        seen: list[tuple[float, str, bool | None]] = [
            (when, dev, None) for dev, (when, _, _) in item.seen.items()]
        states: list[tuple[float, str, bool | None]] = [
            (when, dev, online) for dev, (when, online) in item.states.items()]
        out: list[Transition] = []
        for when, dev, online in sorted(seen + states, key=lambda e: e[0]):
            if online is None:
                out += self.supervisor.heard(dev, when, item.marks.get(dev))
                continue
            self.ingestor.state(dev, when, online)
            out += (self.supervisor.heard(dev, when, said_online=True) if online
                    else self.supervisor.last_will(dev, when))
        return out

    def _claim(self, transitions: list[Transition], now: float) -> list[Transition]:
        """The transitions this gateway raises. A replica that does not supervise keeps its
        own for a while: the supervisor may have died before raising them, and the replica
        that takes over raises them then (one may come twice; the control room folds it
        into the open alert)."""
        if not self.supervising():
            self._unclaimed = [t for t in self._unclaimed + transitions
                               if now - t.at < UNCLAIMED_KEEP_S]
            return []
        out, self._unclaimed = self._unclaimed + transitions, []
        return out

    def _supervision_signal(self, t: Transition) -> SignalOut:
        kind = "panel_offline" if t.device in self.site.panels else "device_offline"
        state = "off" if t.offline else "on"
        log.warning("%s %s (%s)", t.device, "offline" if t.offline else "back online", t.why)
        # Keyed by the last message heard (same on every replica, so the control room keeps
        # one), or by time before anything was heard.
        ident = f"m/{t.mark}" if t.mark else str(int(t.at * 1000))
        return SignalOut(f"sup/{t.device}/{state}/{ident}", t.device, kind,
                         PRIORITY[kind], "active" if t.offline else "restored", _iso(t.at),
                         {"why": t.why})

    def _tick(self) -> None:
        # Until both broker links are up (after a start, or a lost broker), the devices'
        # silence is the gateway's: their grace is renewed rather than spent.
        while not self.stopping.wait(TICK_S):
            deaf = not (self.link.connected.is_set() and self.tel.connected.is_set())
            self._urgent(_Tick(time.time(), deaf))

    # -- device health, on change -----------------------------------------------------------

    def _report_health(self) -> None:
        last_full = time.monotonic()
        deferred = 0
        while not self.stopping.wait(HEALTH_EVERY_S):
            if self.outbox.has_work.is_set() and deferred < HEALTH_DEFER_ROUNDS:
                # Alarms first: while signals wait for the control room, health and notes
                # (which need their alert delivered anyway) stay off its write path.
                deferred += 1
                continue
            deferred = 0
            self._send_notes()
            deliver_quarantine(self.quarantine, self.controlroom)
            if self.supervising():  # one replica relays the console's commands
                self.commands.poll(lambda dev: topic(self.site.id, dev, "cmd"))
            if not self.supervising():
                continue  # the supervising replica reports every device's health
            full = time.monotonic() - last_full >= LAST_SEEN_EVERY_S
            if full:
                last_full = time.monotonic()
            self._send_health(full)

    def _send_health(self, full: bool) -> None:
        """Every device whose health changed (all of them, with last-seen, when `full`)."""
        # The ingestor's state is written by the worker thread; taking a report swaps
        # sets under the GIL, and a change missed now is sent on the next round.
        report = self.ingestor.take_health_report(with_last_seen=full)
        offline = set(self.supervisor.offline)
        for row in report:
            if row["id"] in offline:
                row["online"] = False
        # The control room takes at most 10,000 devices a request; 50,000 devices
        # refresh their last-seen 25,000 at a time.
        for i in range(0, len(report), HEALTH_CHUNK):
            try:
                self.controlroom.post_device_states(report[i:i + HEALTH_CHUNK])
            except (Unreachable, Rejected) as exc:
                log.warning("device health not delivered (%s)", exc)
                break

    def _send_notes(self) -> None:
        """Notes on alerts (a valve's answer). The alert may still be in the outbox, so a
        refused note is tried again on the next rounds."""
        retry = []
        while not self.notes.empty():
            note, attempts = self.notes.get_nowait()
            try:
                self.controlroom.post_note({"device": note.device, "kind": note.kind,
                                            "note": note.note, "detail": note.detail})
            except (Unreachable, Rejected) as exc:
                if attempts + 1 < NOTE_ATTEMPTS:
                    retry.append((note, attempts + 1))
                else:
                    log.error("note on %s %s not delivered: %s (%s)", note.device, note.kind,
                              note.note, exc)
        for r in retry:
            self.notes.put(r)
