"""`make bench-scale`'s figures as it reports them (bench/scale_bench.py runs the bench): the
machine and its load, alarm latency percentiles (publish -> PUBACK -> SSE), and the summary
printed at the end."""

from __future__ import annotations

import os
import platform
import re
import resource
import statistics
import subprocess
from pathlib import Path
from typing import Any

from launcher.nats_cluster import NATS_SERVER


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    try:
        v = subprocess.run([NATS_SERVER or "nats-server", "--version"], capture_output=True,
                           text=True, timeout=5).stdout.strip()
    except OSError:
        v = "not found"
    return {"nproc": str(os.cpu_count()), "cpu": model.group(1).strip() if model else "?",
            "memory": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
            "kernel": platform.release(), "python": platform.python_version(),
            "nats_server": v, "nofile": "/".join(map(str, resource.getrlimit(
                resource.RLIMIT_NOFILE)))}


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _pcts(lat: list[float], prefix: str = "") -> dict[str, float]:
    lat = sorted(lat)
    if not lat:
        return {}
    return {f"{prefix}p50_ms": round(statistics.median(lat), 1),
            f"{prefix}p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1),
            f"{prefix}max_ms": round(lat[-1], 1)}


def latencies(published: dict[str, float], arrived: dict[str, float],
              acked: dict[str, float]) -> dict[str, float]:
    """Publish -> SSE, split into publish -> PUBACK (the broker stored it) and PUBACK -> SSE
    (gateway and control room)."""
    lat = [(arrived[d] - t) * 1000 for d, t in published.items() if d in arrived]
    broker = [(acked[d] - t) * 1000 for d, t in published.items() if d in acked]
    after = [(arrived[d] - acked[d]) * 1000 for d in published if d in arrived and d in acked]
    return ({"alarms": len(published), "arrived": len(lat)} | _pcts(lat)
            | _pcts(broker, "puback_") | _pcts(after, "puback_to_sse_"))


def print_summary(result: dict[str, Any], out: Path) -> None:
    lat, b = result.get("latency", {}), result.get("burst", {})
    print(f"\nalerts per second (burst of {b.get('alarms')}): {b.get('alerts_per_s')}")
    print(f"alarm latency, paced: p50 {lat.get('p50_ms')} ms, p99 {lat.get('p99_ms')} ms "
          f"({lat.get('arrived')}/{lat.get('alarms')})")
    print(f"alarm latency, burst: p50 {b.get('p50_ms')} ms, p99 {b.get('p99_ms')} ms")
    print(f"RSS per replica (MiB): {result.get('rss_mb')}")
    print(f"figures: {out}")
