"""`python -m firmware_sim load`: many devices publishing telemetry at a fixed rate, to load a
broker or the gateway, and a report of what was sent and what the broker acknowledged.

Devices are the site's own (in the site file's order) and then synthetic ones, `load-00001`
and on; the gateway quarantines the synthetic ones as unregistered devices (ARCHITECTURE §4),
which is load of its own kind. Payloads are contract telemetry on
`estate/v1/{site}/{device}/tel`, with a per-device `seq` from 1 and one `boot` for the run.

Two modes:

- `per-device`: each device on its own MQTT connection (client id = device id, last will
  `offline` on its `state` topic), as real devices connect: loads the broker's connection
  handling. Do not run it beside `python -m firmware_sim run` on the same broker: the site's
  devices would take each other's client ids over.
- `multiplexed`: every device's messages spread over a few connections: loads whoever
  subscribes (the gateway) with few sockets in the way. Not how devices connect; a broker with
  per-device ACLs (ARCHITECTURE §9) would refuse it.

Telemetry is QoS 0 in the contract. The default here is QoS 1, so that each PUBACK counts a
message the broker took; `--qos 0` is the contract's, and then only what was written is known.

Pacing is a schedule, not a sleep per message: message m of the run is due at m / (N x R)
seconds and goes to device m mod N, so each device publishes every 1/R s; every tick (5 ms)
sends whatever is due. Whatever is not sent by the end (plus 0.5 s) is reported as behind.
`--processes P` splits the devices over P worker processes (each with its own event loop),
started together, and sums their reports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import multiprocessing as mp
import os
import resource
import secrets
import signal
import threading
import time
from collections.abc import Callable, MutableSequence, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from config import Site
from firmware_sim import payloads
from firmware_sim.console import say
from firmware_sim.wire import MqttClient, MqttError, Will

TICK_S = 0.005            # the schedule's granularity
LATE_S = 0.5              # what is not sent by the end plus this is behind, not sent late
YIELD_EVERY = 256         # let the event loop read PUBACKs while catching up
MAX_BACKLOG = 256 * 1024  # bytes buffered on one connection before waiting for the socket
MAX_IN_FLIGHT = 30_000    # unacknowledged QoS 1 messages on one connection (packet ids: 65535)
PROGRESS_S = 5.0
FD_MARGIN = 64
N_COUNTERS = 3            # shared progress counters per worker: sent, acked, failed


@dataclass(frozen=True)
class Plan:
    """What one worker process does."""

    host: str
    port: int
    site: str
    devices: list[tuple[str, str]]  # (device id, kind)
    rate: float
    seconds: float
    mode: str
    connections: int
    qos: int
    boot: int
    connect_concurrency: int
    connect_timeout: float
    ack_timeout: float
    worker: int = 0
    run_token: str = ""


@dataclass
class Report:
    mode: str
    qos: int
    devices: int
    rate_per_device: float
    seconds: float
    processes: int
    connections: int
    target_rate: float
    scheduled: int = 0
    sent: int = 0
    acked: int = 0
    failed: int = 0       # due, but its connection was down or the write failed
    lost: int = 0         # sent, then the connection was lost before the PUBACK
    unacked: int = 0      # sent, no PUBACK by the end of the ack wait
    behind: int = 0       # due, but not sent by the end: the generator could not keep up
    connected: int = 0
    connect_failed: int = 0
    connections_lost: int = 0
    connect_s: float = 0.0
    send_s: float = 0.0
    window_s: float = 0.0
    sent_per_s: float = 0.0
    acked_per_s: float = 0.0
    cpu_s: float = 0.0
    cpu_send_s: float = 0.0
    cpu_send_pct: float = 0.0
    peak_rss_mb: float = 0.0
    rss_sum_mb: float = 0.0
    errors: list[str] = field(default_factory=list)
    per_second: list[dict[str, float]] = field(default_factory=list)
    broker: str = ""
    site_devices: int = 0
    synthetic_devices: int = 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "load", help="load a broker or the gateway: N devices sending telemetry at a rate",
        description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 all sent (and acknowledged, at QoS 1); 1 a connection or "
               "message failed; 2 bad arguments or too low a file limit; 3 more than 1% of "
               "the schedule left unsent (the rate was not sustained).")
    p.add_argument("--devices", type=int, default=1000, metavar="N",
                   help="how many devices: the site's first, then synthetic load-00001... "
                        "(the gateway quarantines those as unregistered) (default: 1000)")
    p.add_argument("--rate", type=float, default=1.0, metavar="R",
                   help="telemetry messages per second per device (default: 1)")
    p.add_argument("--seconds", type=float, default=60.0, metavar="S",
                   help="how long to send (default: 60)")
    p.add_argument("--mode", choices=["per-device", "multiplexed"], default="per-device",
                   help="a connection per device (loads the broker), or the devices "
                        "multiplexed over --connections (loads the gateway) "
                        "(default: per-device)")
    p.add_argument("--connections", type=int, default=8, metavar="K",
                   help="connections in multiplexed mode (default: 8)")
    p.add_argument("--qos", type=int, choices=[0, 1], default=1,
                   help="1 (default) counts the broker's PUBACKs; telemetry is QoS 0 in the "
                        "contract")
    p.add_argument("--processes", type=int, default=1, metavar="P",
                   help="worker processes to spread the devices over (default: 1)")
    p.add_argument("--connect-concurrency", type=int, default=200, metavar="C",
                   help="connection attempts in flight at once, per process (default: 200)")
    p.add_argument("--connect-timeout", type=float, default=30.0,
                   help="seconds for one connection attempt (default: 30)")
    p.add_argument("--ack-timeout", type=float, default=10.0,
                   help="seconds to wait for the last PUBACKs after sending (default: 10)")
    p.add_argument("--boot", type=int, help="boot counter in the payloads (default: now, "
                                             "in seconds since the epoch)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the report as JSON")
    p.set_defaults(handler=run)


# -- the command ------------------------------------------------------------------------------

def run(site: Site, args: argparse.Namespace) -> int:
    for name, lo in (("devices", 1), ("connections", 1), ("processes", 1),
                     ("connect_concurrency", 1)):
        if getattr(args, name) < lo:
            say(f"error: --{name.replace('_', '-')} must be at least {lo}", err=True)
            return 2
    if args.rate <= 0 or args.seconds <= 0:
        say("error: --rate and --seconds must be positive", err=True)
        return 2
    u = urlsplit(args.mqtt_url)
    host, port = u.hostname or "127.0.0.1", u.port or 1883
    devices = device_list(site, args.devices)
    processes = min(args.processes, len(devices))
    per_device = args.mode == "per-device"
    conns = len(devices) if per_device else max(args.connections, processes)
    err = raise_fd_limit(math.ceil(conns / processes) + FD_MARGIN)
    if err:
        say(f"error: {err}", err=True)
        return 2
    boot = args.boot if args.boot is not None else int(time.time())
    token = secrets.token_hex(3)
    plans = []
    for w in range(processes):
        part = _slice(devices, w, processes)
        k = len(part) if per_device else _share(conns, w, processes)
        plans.append(Plan(host, port, site.id, part, args.rate, args.seconds, args.mode, k,
                          args.qos, boot, args.connect_concurrency, args.connect_timeout,
                          args.ack_timeout, w, token))
    n_site = min(len(devices), len(site.devices))
    say(f"load: {len(devices)} devices ({n_site} of site {site.id}, "
        f"{len(devices) - n_site} synthetic) x {args.rate:g} msg/s for {args.seconds:g} s "
        f"= {len(devices) * args.rate:g} msg/s target, {args.mode}, {conns} connections, "
        f"QoS {args.qos}, {processes} process(es), mqtt://{host}:{port}", err=True)
    if processes == 1:
        report = asyncio.run(run_worker(plans[0], progress=True))
        cpu_total, rss = _own_usage()
        report.cpu_s = round(cpu_total, 2)
        report.peak_rss_mb = report.rss_sum_mb = round(rss, 1)
    else:
        report = _run_processes(plans)
    report.processes = processes
    report.connections = conns
    report.broker = f"mqtt://{host}:{port}"
    report.site_devices, report.synthetic_devices = n_site, len(devices) - n_site
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(report), indent=2) + "\n")
    if report.connect_failed or report.failed or report.lost or report.unacked:
        return 1
    if report.behind > 0.01 * report.scheduled:
        return 3  # ran, but did not sustain the target rate
    return 0


def device_list(site: Site, n: int) -> list[tuple[str, str]]:
    """The site's devices first, then synthetic `load-00001`..."""
    out = [(d.id, d.kind) for d in site.devices.values()][:n]
    width = max(5, len(str(n)))
    out += [(f"load-{i:0{width}d}", "gas_detector") for i in range(1, n - len(out) + 1)]
    return out


def _slice(items: Sequence[tuple[str, str]], w: int, parts: int) -> list[tuple[str, str]]:
    lo = len(items) * w // parts
    hi = len(items) * (w + 1) // parts
    return list(items[lo:hi])


def _share(total: int, w: int, parts: int) -> int:
    return total * (w + 1) // parts - total * w // parts


def raise_fd_limit(need: int) -> str | None:
    """Raise the soft RLIMIT_NOFILE to the hard limit; an error message if still below `need`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    if soft != resource.RLIM_INFINITY and soft < need:
        return (f"need {need} open files per process, the limit is {soft} (hard {hard}): "
                "raise it (`ulimit -Hn`, /etc/security/limits.conf, LimitNOFILE=), "
                "or spread the devices with --processes, or use --mode multiplexed")
    return None


def _own_usage() -> tuple[float, float]:
    """CPU seconds (self + waited-for children) and the peak RSS in MiB."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime
    return cpu, max(me.ru_maxrss, ch.ru_maxrss) / 1024


# -- one worker -------------------------------------------------------------------------------

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
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    n = len(plan.devices)
    total_rate = n * plan.rate
    report = Report(plan.mode, plan.qos, n, plan.rate, plan.seconds, 1, plan.connections,
                    total_rate)
    per_device = plan.mode == "per-device"
    clients: list[MqttClient | None] = [None] * plan.connections
    errors: dict[str, int] = {}
    gate = asyncio.Semaphore(plan.connect_concurrency)

    async def connect(k: int) -> None:
        if per_device:
            dev = plan.devices[k][0]
            will: Will | None = Will(payloads.topic(plan.site, dev, "state"), b"offline", 1,
                                     True)
            cid = dev
        else:
            will, cid = None, f"loadmux-{plan.run_token}-{plan.worker}-{k}"
        c = MqttClient(plan.host, plan.port, cid, keepalive=60, clean=True, will=will)
        async with gate:
            try:
                await c.connect(timeout=plan.connect_timeout)
            except (OSError, MqttError, TimeoutError) as exc:
                key = f"connect: {type(exc).__name__}: {exc}"
                errors[key] = errors.get(key, 0) + 1
                return
        clients[k] = c

    t_conn = time.monotonic()
    await asyncio.gather(*(connect(k) for k in range(plan.connections)))
    report.connect_s = round(time.monotonic() - t_conn, 3)
    report.connected = sum(c is not None for c in clients)
    report.connect_failed = plan.connections - report.connected
    # Thousands of connections are a million long-lived objects; the cyclic collector walking
    # them again and again cost about a tenth of the CPU while sending. Freeze them out of it.
    gc.collect()
    gc.freeze()
    if start_gate is not None:
        await loop.run_in_executor(None, start_gate)

    counts = _Counts()

    def on_ack(fut: asyncio.Future[None]) -> None:
        if fut.cancelled() or fut.exception() is not None:
            counts.lost += 1
        else:
            counts.acked += 1

    conn_of = list(range(n)) if per_device else [i % plan.connections for i in range(n)]
    topics = [payloads.topic(plan.site, d, "tel") for d, _ in plan.devices]
    tails = [telemetry_tail(_fields(i, kind)) for i, (_, kind) in enumerate(plan.devices)]
    seqs = [0] * n
    total = round(total_rate * plan.seconds)
    report.scheduled = total
    marks: list[tuple[float, int, int]] = []  # (elapsed, sent, acked) at each whole second
    qos, boot = plan.qos, plan.boot

    def publish_progress() -> None:
        if shared is not None:
            base = plan.worker * N_COUNTERS
            shared[base:base + N_COUNTERS] = [counts.sent, counts.acked,
                                              counts.failed + counts.lost]

    async def send(c: MqttClient | None, devs: list[int], ts: int) -> None:
        """This tick's messages of the devices `devs`, all on connection `c`, in one write."""
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
            msgs.append((topics[i], telemetry_payload(seqs[i], boot, ts, tails[i])))
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
            fut.add_done_callback(on_ack)

    printer = (asyncio.create_task(_print_progress(lambda: (
        counts.sent, counts.acked, counts.failed + counts.lost), total_rate))
        if progress else None)
    cpu0 = _cpu()
    t0 = time.monotonic()
    idx = 0
    next_mark = 0.0
    end = plan.seconds + LATE_S
    while idx < total and not stop.is_set():
        el = time.monotonic() - t0
        if el >= end:
            break
        due = min(total, math.ceil(el * total_rate))
        while idx < due:
            upto = min(due, idx + YIELD_EVERY)
            ts = payloads.now_ms()
            groups: dict[int, list[int]] = {}
            for m in range(idx, upto):
                i = m % n
                groups.setdefault(conn_of[i], []).append(i)
            idx = upto
            for k, devs in groups.items():
                await send(clients[k], devs, ts)
            if idx < due:
                await asyncio.sleep(0)  # let the PUBACKs in while catching up
                if time.monotonic() - t0 >= end:
                    break
        # Counts as of `el` (what was due then has been sent, unless behind): once a second.
        while el >= next_mark:
            marks.append((el, counts.sent, counts.acked))
            next_mark += 1.0
        publish_progress()
        wake = t0 + idx / total_rate  # when the next message is due
        await asyncio.sleep(max(TICK_S, wake - time.monotonic()))
    send_s = time.monotonic() - t0
    final = (send_s, counts.sent, counts.acked)
    report.cpu_send_s = round(_cpu() - cpu0, 2)
    report.send_s = round(send_s, 3)
    report.behind = total - idx

    # The last PUBACKs.
    deadline = time.monotonic() + plan.ack_timeout
    while (qos and counts.sent - counts.acked - counts.lost > 0
           and time.monotonic() < deadline and not stop.is_set()):
        await asyncio.sleep(0.02)
    publish_progress()
    if printer is not None:
        printer.cancel()
    report.sent, report.acked, report.failed, report.lost = (
        counts.sent, counts.acked, counts.failed, counts.lost)
    report.unacked = counts.sent - counts.acked - counts.lost if qos else 0
    report.connections_lost = sum(1 for c in clients if c is not None and not c.connected)
    _window(report, marks, final)
    report.cpu_send_pct = round(100 * report.cpu_send_s / send_s, 1) if send_s else 0.0
    report.errors = [f"{k} (x{v})" for k, v in errors.items()]
    if stop.is_set():
        report.errors.append("stopped early by a signal")
    await asyncio.gather(*(c.disconnect() for c in clients if c is not None),
                         return_exceptions=True)
    return report


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
        _progress_line(time.monotonic() - t0, now, last, target)
        last = now


def _progress_line(el: float, now: tuple[int, int, int], last: tuple[int, int, int],
                   target: float) -> None:
    say(f"load: {el:5.0f} s  sent {now[0]}  acked {now[1]}  failed {now[2]}  "
        f"last {PROGRESS_S:g} s: {(now[0] - last[0]) / PROGRESS_S:.0f} sent/s, "
        f"{(now[1] - last[1]) / PROGRESS_S:.0f} acked/s (target {target:g}/s)", err=True)


# -- several worker processes -----------------------------------------------------------------

def _worker_main(plan: Plan, shared: Any, barrier: Any, results: Any) -> None:
    """Entry point of one worker process: its report (as a dict) goes to `results`."""
    def gate() -> None:
        barrier.wait()

    try:
        report = asyncio.run(run_worker(plan, shared=shared, start_gate=gate))
        cpu, rss = _own_usage()
        report.cpu_s, report.peak_rss_mb = round(cpu, 2), round(rss, 1)
        results.put((plan.worker, asdict(report)))
    except BaseException as exc:
        with contextlib.suppress(Exception):
            barrier.abort()
        results.put((plan.worker, {"error": f"{type(exc).__name__}: {exc}"}))
        raise


def _run_processes(plans: list[Plan]) -> Report:
    ctx = mp.get_context("spawn")
    p = len(plans)
    shared = ctx.Array("q", p * N_COUNTERS, lock=False)
    barrier = ctx.Barrier(p + 1)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker_main, args=(plan, shared, barrier, results),
                         name=f"load-{plan.worker}") for plan in plans]
    for proc in procs:
        proc.start()
    done: dict[int, dict[str, Any]] = {}
    started = threading.Event()

    def wait_start() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        started.set()

    threading.Thread(target=wait_start, daemon=True).start()
    total_rate = sum(len(pl.devices) * pl.rate for pl in plans)
    t0 = last_t = 0.0
    last = (0, 0, 0)
    try:
        while len(done) < p:
            with contextlib.suppress(Exception):
                w, rep = results.get(timeout=0.2)
                done[w] = rep
                continue
            if not started.is_set():
                if all(not pr.is_alive() for pr in procs):
                    break
                continue
            now_t = time.monotonic()
            if not t0:
                t0 = last_t = now_t
            if now_t - last_t >= PROGRESS_S:
                now = tuple(sum(shared[w * N_COUNTERS + k] for w in range(p)) for k in range(3))
                _progress_line(now_t - t0, now, last, total_rate)  # type: ignore[arg-type]
                last, last_t = now, now_t  # type: ignore[assignment]
            if all(not pr.is_alive() for pr in procs) and results.empty():
                break
    except KeyboardInterrupt:
        for pr in procs:
            if pr.is_alive() and pr.pid is not None:
                os.kill(pr.pid, signal.SIGTERM)
        while len(done) < p and any(pr.is_alive() for pr in procs):
            with contextlib.suppress(Exception):
                w, rep = results.get(timeout=1)
                done[w] = rep
    for pr in procs:
        pr.join(timeout=30)
    return _sum_reports(plans, done)


def _sum_reports(plans: list[Plan], done: dict[int, dict[str, Any]]) -> Report:
    first = plans[0]
    n = sum(len(pl.devices) for pl in plans)
    total = Report(first.mode, first.qos, n, first.rate, first.seconds, len(plans),
                   sum(pl.connections for pl in plans), n * first.rate)
    ints = ("scheduled", "sent", "acked", "failed", "lost", "unacked", "behind", "connected",
            "connect_failed", "connections_lost")
    rss: list[float] = []
    rows: list[list[dict[str, float]]] = []
    for pl in plans:
        rep = done.get(pl.worker)
        if rep is None or "error" in rep:
            why = rep["error"] if rep else "exited without a report"
            total.errors.append(f"worker {pl.worker}: {why}")
            total.connect_failed += pl.connections
            continue
        for k in ints:
            setattr(total, k, getattr(total, k) + rep[k])
        total.connect_s = max(total.connect_s, rep["connect_s"])
        total.send_s = max(total.send_s, rep["send_s"])
        total.window_s = max(total.window_s, rep["window_s"])
        total.sent_per_s = round(total.sent_per_s + rep["sent_per_s"], 1)
        total.acked_per_s = round(total.acked_per_s + rep["acked_per_s"], 1)
        total.cpu_send_s = round(total.cpu_send_s + rep["cpu_send_s"], 2)
        rss.append(rep["peak_rss_mb"])
        total.errors += [f"worker {pl.worker}: {e}" for e in rep["errors"]]
        rows.append(rep["per_second"])
    if rows:  # seconds that every worker reached, summed
        for k in range(min(len(r) for r in rows)):
            total.per_second.append({
                "second": k, "t": max(r[k]["t"] for r in rows),
                "sent": sum(r[k]["sent"] for r in rows),
                "acked": sum(r[k]["acked"] for r in rows)})
    cpu, _ = _own_usage()  # self + the workers, now that they are joined
    parent_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total.cpu_s = round(cpu, 2)
    total.peak_rss_mb = round(max([*rss, parent_rss]), 1)
    total.rss_sum_mb = round(sum(rss) + parent_rss, 1)
    if total.send_s:
        total.cpu_send_pct = round(100 * total.cpu_send_s / total.send_s, 1)
    return total


# -- the report -------------------------------------------------------------------------------

def print_report(r: Report) -> None:
    def pct(a: float, b: float) -> str:
        return f"{100 * a / b:.1f}%" if b else "-"

    acked = (f"{r.acked} ({pct(r.acked, r.sent)} of sent)" if r.qos
             else "- (QoS 0: the broker acknowledges nothing)")
    lines = [
        f"load report: {r.mode}, QoS {r.qos}, {r.devices} devices "
        f"({r.site_devices} of the site, {r.synthetic_devices} synthetic) x "
        f"{r.rate_per_device:g} msg/s for {r.seconds:g} s, {r.connections} connections, "
        f"{r.processes} process(es), {r.broker}",
        f"  target rate      {r.target_rate:g} msg/s",
        f"  connections      {r.connected} up in {r.connect_s:.2f} s, {r.connect_failed} failed, "
        f"{r.connections_lost} lost",
        f"  scheduled        {r.scheduled}",
        f"  sent             {r.sent} ({pct(r.sent, r.scheduled)})",
        f"  acknowledged     {acked}",
        f"  failed           {r.failed} not sent (connection down), {r.lost} lost after "
        f"sending, {r.unacked} unacknowledged",
        f"  behind schedule  {r.behind} not sent by the end",
        f"  achieved rate    {r.sent_per_s:g} sent/s, "
        + (f"{r.acked_per_s:g} acked/s" if r.qos else "(no acks at QoS 0)")
        + f" over the steady {r.window_s:g} s ({pct(r.sent_per_s, r.target_rate)} of target)",
        f"  CPU              {r.cpu_s:.1f} s in all; {r.cpu_send_s:.1f} s while sending "
        f"({r.cpu_send_pct:g}% of one core)",
        f"  peak RSS         {r.peak_rss_mb:.0f} MiB"
        + (f" (largest process; {r.rss_sum_mb:.0f} MiB summed)" if r.processes > 1 else ""),
    ]
    lines += [f"  error            {e}" for e in r.errors[:10]]
    say("\n".join(lines))
