"""`python -m firmware_sim load`: what a run is asked to do (`Plan`, one per worker process),
what it did (`Report`), and how that is told: the progress line and the closing report."""

from __future__ import annotations

import resource
from dataclasses import dataclass, field

from firmware_sim.console import say

PROGRESS_S = 5.0
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


def own_usage() -> tuple[float, float]:
    """CPU seconds (self + waited-for children) and the peak RSS in MiB."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime
    return cpu, max(me.ru_maxrss, ch.ru_maxrss) / 1024


def progress_line(el: float, now: tuple[int, int, int], last: tuple[int, int, int],
                  target: float) -> None:
    say(f"load: {el:5.0f} s  sent {now[0]}  acked {now[1]}  failed {now[2]}  "
        f"last {PROGRESS_S:g} s: {(now[0] - last[0]) / PROGRESS_S:.0f} sent/s, "
        f"{(now[1] - last[1]) / PROGRESS_S:.0f} acked/s (target {target:g}/s)", err=True)


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
