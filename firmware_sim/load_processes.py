"""`python -m firmware_sim load --processes P`: the devices spread over P worker processes,
started together (a barrier after every worker has connected), their progress summed into one
line, their reports summed into one."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import resource
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from firmware_sim.load_report import N_COUNTERS, PROGRESS_S, Plan, Report, own_usage, progress_line
from firmware_sim.load_worker import run_worker


def _worker_main(plan: Plan, shared: Any, barrier: Any, results: Any) -> None:
    """Entry point of one worker process: its report (as a dict) goes to `results`."""
    def gate() -> None:
        barrier.wait()

    try:
        report = asyncio.run(run_worker(plan, shared=shared, start_gate=gate))
        cpu, rss = own_usage()
        report.cpu_s, report.peak_rss_mb = round(cpu, 2), round(rss, 1)
        results.put((plan.worker, asdict(report)))
    except BaseException as exc:
        with contextlib.suppress(Exception):
            barrier.abort()
        results.put((plan.worker, {"error": f"{type(exc).__name__}: {exc}"}))
        raise


def run_processes(plans: list[Plan]) -> Report:
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
    progress = _Progress(shared, p, sum(len(pl.devices) * pl.rate for pl in plans))
    try:
        _collect(procs, results, done, started, progress)
    except KeyboardInterrupt:
        _interrupt(procs, results, done)
    for pr in procs:
        pr.join(timeout=30)
    return _sum_reports(plans, done)


class _Progress:
    """The parent's progress line: the workers' shared counters summed, every PROGRESS_S."""

    def __init__(self, shared: Any, workers: int, target: float) -> None:
        self.shared, self.workers, self.target = shared, workers, target
        self.t0 = self.last_t = 0.0
        self.last = (0, 0, 0)

    def tick(self) -> None:
        now_t = time.monotonic()
        if not self.t0:
            self.t0 = self.last_t = now_t
        if now_t - self.last_t >= PROGRESS_S:
            sent, acked, failed = (sum(self.shared[w * N_COUNTERS + k] for w in range(self.workers))
                                   for k in range(3))
            now = (sent, acked, failed)
            progress_line(now_t - self.t0, now, self.last, self.target)
            self.last, self.last_t = now, now_t


def _all_exited(procs: Sequence[Any]) -> bool:
    return all(not pr.is_alive() for pr in procs)


def _collect(procs: Sequence[Any], results: Any, done: dict[int, dict[str, Any]],
             started: threading.Event, progress: _Progress) -> None:
    """Gather the workers' reports into `done` until all are in or every worker has exited."""
    while len(done) < len(procs):
        with contextlib.suppress(Exception):
            w, rep = results.get(timeout=0.2)
            done[w] = rep
            continue
        if not started.is_set():
            if _all_exited(procs):
                break
            continue
        progress.tick()
        if _all_exited(procs) and results.empty():
            break


def _interrupt(procs: Sequence[Any], results: Any, done: dict[int, dict[str, Any]]) -> None:
    """^C: stop the workers (each reports what it did so far) and gather what comes."""
    for pr in procs:
        if pr.is_alive() and pr.pid is not None:
            os.kill(pr.pid, signal.SIGTERM)
    while len(done) < len(procs) and any(pr.is_alive() for pr in procs):
        with contextlib.suppress(Exception):
            w, rep = results.get(timeout=1)
            done[w] = rep


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
    cpu, _ = own_usage()  # self + the workers, now that they are joined
    parent_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total.cpu_s = round(cpu, 2)
    total.peak_rss_mb = round(max([*rss, parent_rss]), 1)
    total.rss_sum_mb = round(sum(rss) + parent_rss, 1)
    if total.send_s:
        total.cpu_send_pct = round(100 * total.cpu_send_s / total.send_s, 1)
    return total
