"""`python -m firmware_sim load`: one worker's run. Connect its devices (or its multiplexed
connections), wait for the other workers, send telemetry on schedule, wait for the last
PUBACKs, disconnect, and report what happened.

Pacing is a schedule, not a sleep per message: message m of the run is due at m / (N x R)
seconds and goes to device m mod N; every tick (5 ms) sends whatever is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import resource
import signal
import time
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass

from firmware_sim import payloads
from firmware_sim.load_report import N_COUNTERS, PROGRESS_S, Plan, Report, progress_line
from firmware_sim.wire import MqttClient, MqttError, Will

TICK_S = 0.005            # the schedule's granularity
LATE_S = 0.5              # what is not sent by the end plus this is behind, not sent late
YIELD_EVERY = 256         # let the event loop read PUBACKs while catching up
MAX_BACKLOG = 256 * 1024  # bytes buffered on one connection before waiting for the socket
MAX_IN_FLIGHT = 30_000    # unacknowledged QoS 1 messages on one connection (packet ids: 65535)


@dataclass
class _Counts:
    sent: int = 0
    acked: int = 0
    failed: int = 0
    lost: int = 0


def telemetry_tail(fields: dict[str, object]) -> str:
    """The part of a telemetry payload after `ts`, made once per device."""
    return "}" if not fields else "," + json.dumps(fields, separators=(",", ":"))[1:]


def telemetry_payload(seq: int, boot: int, ts: int, tail: str) -> bytes:
    """Byte for byte `payloads.telemetry(seq, boot, ts, **fields)` (the tests hold it to that),
    without a JSON encoder per message: that was a sixth of the CPU at 10,000 msg/s."""
    return f'{{"seq":{seq},"boot":{boot},"ts":{ts}{tail}'.encode()


def _fields(i: int, kind: str) -> dict[str, object]:
    f: dict[str, object] = {"batt": 95 - i % 20, "rssi": -45 - i % 40}
    if kind == "gas_detector":
        f["lel"] = round((i % 10) / 10, 1)
    return f


async def run_worker(plan: Plan, *, progress: bool = False,
                     shared: MutableSequence[int] | None = None,
                     start_gate: Callable[[], None] | None = None) -> Report:
    """Connect, wait for `start_gate` (other workers), send on schedule, wait for the PUBACKs,
    disconnect. `shared` gets this worker's running counts, for a parent's progress line."""
    w = _Worker(plan, shared)
    w.trap_signals()
    await w.connect_all()
    # Thousands of connections are a million long-lived objects; the cyclic collector walking
    # them again and again cost about a tenth of the CPU while sending. Freeze them out of it.
    gc.collect()
    gc.freeze()
    if start_gate is not None:
        await asyncio.get_running_loop().run_in_executor(None, start_gate)
    printer = (asyncio.create_task(_print_progress(w.progress_counts, w.total_rate))
               if progress else None)
    final = await w.send_all()
    await w.wait_acks()
    w.publish_progress()
    if printer is not None:
        printer.cancel()
    w.finish(final)
    await asyncio.gather(*(c.disconnect() for c in w.clients if c is not None),
                         return_exceptions=True)
    return w.report


class _Worker:
    """One worker's connections, schedule and counts."""

    def __init__(self, plan: Plan, shared: MutableSequence[int] | None) -> None:
        self.plan, self.shared = plan, shared
        self.stop = asyncio.Event()
        n = self.n = len(plan.devices)
        self.total_rate = n * plan.rate
        self.report = Report(plan.mode, plan.qos, n, plan.rate, plan.seconds, 1,
                             plan.connections, self.total_rate)
        self.per_device = plan.mode == "per-device"
        self.clients: list[MqttClient | None] = [None] * plan.connections
        self.errors: dict[str, int] = {}
        self.gate = asyncio.Semaphore(plan.connect_concurrency)
        self.counts = _Counts()
        self.conn_of = (list(range(n)) if self.per_device
                        else [i % plan.connections for i in range(n)])
        self.topics = [payloads.topic(plan.site, d, "tel") for d, _ in plan.devices]
        self.tails = [telemetry_tail(_fields(i, kind)) for i, (_, kind) in enumerate(plan.devices)]
        self.seqs = [0] * n
        self.total = round(self.total_rate * plan.seconds)
        self.report.scheduled = self.total
        self.marks: list[tuple[float, int, int]] = []  # (elapsed, sent, acked) each whole second

    def trap_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop.set)

    # -- connecting ---------------------------------------------------------------------------

    async def connect_all(self) -> None:
        t_conn = time.monotonic()
        await asyncio.gather(*(self.connect(k) for k in range(self.plan.connections)))
        r = self.report
        r.connect_s = round(time.monotonic() - t_conn, 3)
        r.connected = sum(c is not None for c in self.clients)
        r.connect_failed = self.plan.connections - r.connected

    async def connect(self, k: int) -> None:
        plan = self.plan
        if self.per_device:
            dev = plan.devices[k][0]
            will: Will | None = Will(payloads.topic(plan.site, dev, "state"), b"offline", 1,
                                     True)
            cid = dev
        else:
            will, cid = None, f"loadmux-{plan.run_token}-{plan.worker}-{k}"
        c = MqttClient(plan.host, plan.port, cid, keepalive=60, clean=True, will=will)
        async with self.gate:
            try:
                await c.connect(timeout=plan.connect_timeout)
            except (OSError, MqttError, TimeoutError) as exc:
                key = f"connect: {type(exc).__name__}: {exc}"
                self.errors[key] = self.errors.get(key, 0) + 1
                return
        self.clients[k] = c

    # -- sending ------------------------------------------------------------------------------

    def progress_counts(self) -> tuple[int, int, int]:
        c = self.counts
        return c.sent, c.acked, c.failed + c.lost

    def publish_progress(self) -> None:
        if self.shared is not None:
            base = self.plan.worker * N_COUNTERS
            self.shared[base:base + N_COUNTERS] = list(self.progress_counts())

    def on_ack(self, fut: asyncio.Future[None]) -> None:
        if fut.cancelled() or fut.exception() is not None:
            self.counts.lost += 1
        else:
            self.counts.acked += 1

    async def send_all(self) -> tuple[float, int, int]:
        """Send on schedule until the end (or a signal); (elapsed, sent, acked) when stopped."""
        counts, total = self.counts, self.total
        cpu0 = _cpu()
        t0 = time.monotonic()
        idx = 0
        next_mark = 0.0
        end = self.plan.seconds + LATE_S
        while idx < total and not self.stop.is_set():
            el = time.monotonic() - t0
            if el >= end:
                break
            due = min(total, math.ceil(el * self.total_rate))
            idx = await self._catch_up(idx, due, t0 + end)
            # Counts as of `el` (what was due then has been sent, unless behind): once a second.
            while el >= next_mark:
                self.marks.append((el, counts.sent, counts.acked))
                next_mark += 1.0
            self.publish_progress()
            wake = t0 + idx / self.total_rate  # when the next message is due
            await asyncio.sleep(max(TICK_S, wake - time.monotonic()))
        send_s = time.monotonic() - t0
        final = (send_s, counts.sent, counts.acked)
        self.report.cpu_send_s = round(_cpu() - cpu0, 2)
        self.report.send_s = round(send_s, 3)
        self.report.behind = total - idx
        return final

    async def _catch_up(self, idx: int, due: int, end_at: float) -> int:
        """Send messages `idx` to `due`, YIELD_EVERY at a time, each batch grouped by
        connection; stop early at `end_at`. The index reached."""
        while idx < due:
            upto = min(due, idx + YIELD_EVERY)
            ts = payloads.now_ms()
            groups: dict[int, list[int]] = {}
            for m in range(idx, upto):
                i = m % self.n
                groups.setdefault(self.conn_of[i], []).append(i)
            idx = upto
            for k, devs in groups.items():
                await self.send(self.clients[k], devs, ts)
            if idx < due:
                await asyncio.sleep(0)  # let the PUBACKs in while catching up
                if time.monotonic() >= end_at:
                    break
        return idx

    async def send(self, c: MqttClient | None, devs: list[int], ts: int) -> None:
        """This tick's messages of the devices `devs`, all on connection `c`, in one write."""
        qos, counts, seqs = self.plan.qos, self.counts, self.seqs
        if c is not None and c.connected and c.write_backlog() > MAX_BACKLOG:
            await c.drain()
        while (qos and c is not None and c.connected
               and c.in_flight + len(devs) > MAX_IN_FLIGHT):
            await asyncio.sleep(TICK_S)
        if c is None or not c.connected:
            counts.failed += len(devs)
            return
        msgs = []
        for i in devs:
            seqs[i] += 1
            msgs.append((self.topics[i],
                         telemetry_payload(seqs[i], self.plan.boot, ts, self.tails[i])))
        try:
            if len(msgs) == 1:
                fut = c.publish_nowait(msgs[0][0], msgs[0][1], qos)
                futs = [fut] if fut is not None else []
            else:
                futs = c.publish_many(msgs, qos)
        except (MqttError, OSError):
            for i in devs:
                seqs[i] -= 1
            counts.failed += len(devs)
            return
        counts.sent += len(msgs)
        for fut in futs:
            fut.add_done_callback(self.on_ack)

    # -- ending -------------------------------------------------------------------------------

    async def wait_acks(self) -> None:
        """The last PUBACKs, up to the plan's ack timeout."""
        c = self.counts
        deadline = time.monotonic() + self.plan.ack_timeout
        while (self.plan.qos and c.sent - c.acked - c.lost > 0
               and time.monotonic() < deadline and not self.stop.is_set()):
            await asyncio.sleep(0.02)

    def finish(self, final: tuple[float, int, int]) -> None:
        r, c = self.report, self.counts
        r.sent, r.acked, r.failed, r.lost = c.sent, c.acked, c.failed, c.lost
        r.unacked = c.sent - c.acked - c.lost if self.plan.qos else 0
        r.connections_lost = sum(1 for cl in self.clients if cl is not None and not cl.connected)
        _window(r, self.marks, final)
        send_s = final[0]
        r.cpu_send_pct = round(100 * r.cpu_send_s / send_s, 1) if send_s else 0.0
        r.errors = [f"{k} (x{v})" for k, v in self.errors.items()]
        if self.stop.is_set():
            r.errors.append("stopped early by a signal")


def _window(report: Report, marks: list[tuple[float, int, int]],
            final: tuple[float, int, int]) -> None:
    """Rates over the steady window, second 1 to second S-1 of the schedule (from the start to
    the end of sending if the run is shorter than 3 s). `marks[k]`: (elapsed, sent, acked) as
    of second k; `final`: the same when sending stopped."""
    whole = marks[:math.floor(report.seconds) + 1]
    report.per_second = [{"second": k, "t": round(t, 3), "sent": sn, "acked": ak}
                         for k, (t, sn, ak) in enumerate(whole)]
    hi_k = math.floor(report.seconds) - 1
    if report.seconds >= 3 and len(whole) > hi_k:
        lo, hi = whole[1], whole[hi_k]
    else:
        lo, hi = (0.0, 0, 0), final
    span = hi[0] - lo[0]
    if span <= 0:
        return
    report.window_s = round(span, 3)
    report.sent_per_s = round((hi[1] - lo[1]) / span, 1)
    report.acked_per_s = round((hi[2] - lo[2]) / span, 1)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def _print_progress(read: Callable[[], tuple[int, int, int]], target: float) -> None:
    t0 = time.monotonic()
    last = (0, 0, 0)
    while True:
        await asyncio.sleep(PROGRESS_S)
        now = read()
        progress_line(time.monotonic() - t0, now, last, target)
        last = now
