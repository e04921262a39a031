"""`make bench-controlroom`: the control room's alert ingest rate through the gateway signal
API, and the alarm board's query (`GET /api/alerts?state=open`) with 100,000 alerts stored —
on SQLite and on PostgreSQL (a server this benchmark starts itself, never the machine's).

For each engine:
1. a database migrated to head is filled with the history of a busy estate: 100,000 alerts
   (all but `--open` resolved, raised over the past 90 days), each with its raised/resolved
   history rows and its ingested-signal key;
2. `python -m controlroom` (one process, as deployed) is started on it;
3. ingest: `--clients` concurrent HTTP clients post gateway signals (keep-alive, as the
   gateway does) — for each device and kind an `active` signal (a new alert) then its
   `restored` (which resolves it) — `--signals` in all; the rate is signals per second;
4. board: `--queries` sequential `GET /api/alerts?state=open` as an operator; p50 and p99.

Prints the figures and writes them as JSON (--out). The client runs on the same machine and
takes CPU from the server: the rates are a floor for a dedicated server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from config import load_site  # noqa: E402
from controlroom.alarms.models import Alert, AlertHistory, IngestedSignal  # noqa: E402
from controlroom.core.db import make_engine  # noqa: E402
from controlroom.migrations import migrate  # noqa: E402
from launcher.postgres import start_postgres  # noqa: E402
from launcher.processes import ProcessGroup, free_port  # noqa: E402

# Non-latching kinds (priority 3/4: a restore resolves the alert), varied so that cycling the
# estate's devices never makes one flap.
KINDS = ("battery_low", "tamper", "fault", "comms_fault", "sensor_dirty", "mains_fail")
STORED_KINDS = ("gas_alarm", "panic", "gas_prealarm", "battery_low", "tamper", "offline")


def machine() -> dict[str, object]:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text()
                .splitlines() if ln.startswith("model name")), platform.processor())
    mem_kb = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                  if ln.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version()}


def load() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def fill(url: str, total: int, open_count: int, site_id: str, devices: list[tuple[str, str,
         str | None]]) -> None:
    """`total` alerts, `open_count` of them open, with history and ingest keys."""
    engine = make_engine(url)
    migrate(engine)
    now = datetime.now(UTC)
    rng = random.Random(7)
    batch = 5000
    hid = 0
    with engine.begin() as conn:
        for start in range(0, total, batch):
            alerts, history, keys = [], [], []
            for i in range(start, min(total, start + batch)):
                aid = i + 1
                dev, building, unit = devices[i % len(devices)]
                kind = STORED_KINDS[i % len(STORED_KINDS)]
                is_open = i >= total - open_count
                raised = now - timedelta(seconds=rng.uniform(60, 90 * 86400)) if not is_open \
                    else now - timedelta(seconds=rng.uniform(5, 3600))
                resolved = None if is_open else raised + timedelta(seconds=rng.uniform(20, 900))
                alerts.append({
                    "id": aid, "kind": kind, "priority": 1 + i % 4,
                    "state": "open" if is_open else "resolved",
                    "condition": "active" if is_open else "restored", "site": site_id,
                    "building": building, "unit": unit, "device": dev, "raised_at": raised,
                    "updated_at": resolved or raised,
                    "acknowledged_at": None if is_open else raised + timedelta(seconds=15),
                    "acknowledged_by": None if is_open else "operator",
                    "resolved_at": resolved, "resolved_by": None if is_open else "operator",
                    "cause": None if is_open else "false_alarm", "occurrences": 1,
                    "escalation": 0, "test": False, "detail": {"observed_at": raised.isoformat()},
                    "open_key": f"{site_id}/{dev}/{kind}/{aid}" if is_open else None,
                })
                hid += 1
                history.append({"id": hid, "alert_id": aid, "at": raised, "actor": "gateway",
                                "action": "raised", "note": ""})
                if resolved is not None:
                    hid += 1
                    history.append({"id": hid, "alert_id": aid, "at": resolved,
                                    "actor": "operator", "action": "resolved", "note": ""})
                keys.append({"key": f"{dev}:0:{aid}/{kind}", "alert_id": aid, "at": raised})
            conn.execute(insert(Alert), alerts)
            conn.execute(insert(AlertHistory), history)
            conn.execute(insert(IngestedSignal), keys)
        if engine.dialect.name == "postgresql":
            # The rows were inserted with their ids: move the sequences past them.
            for table in ("alerts", "alert_history", "ingested_signals"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def token(api: str, user: str, password: str) -> str:
    r = httpx.post(f"{api}/api/auth/token", data={"username": user, "password": password},
                   timeout=30)
    r.raise_for_status()
    return str(r.json()["access_token"])


def ingest(api: str, gw: str, devices: list[str], signals: int, clients: int
           ) -> dict[str, float]:
    """Each client owns a slice of (device, kind) pairs and posts active then restored."""
    pairs = [(d, k) for k in KINDS for d in devices]
    per = signals // clients // 2
    errors: list[str] = []
    lat: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> int:
        mine = pairs[n::clients]
        done = 0
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {gw}"},
                          timeout=60) as c:
            for j in range(per):
                dev, kind = mine[j % len(mine)]
                for cond in ("active", "restored"):
                    body = {"key": f"bench:{n}:{j}:{cond}/{kind}/{dev}", "device": dev,
                            "kind": kind, "priority": 4, "condition": cond,
                            "observed_at": datetime.now(UTC).isoformat()}
                    t = time.perf_counter()
                    r = c.post("/api/gateway/signals", json=body)
                    dt = time.perf_counter() - t
                    if r.status_code != 200:
                        with lock:
                            errors.append(f"{r.status_code} {r.text[:200]}")
                        continue
                    with lock:
                        lat.append(dt)
                    done += 1
        return done

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        done = sum(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - t0
    if errors:
        print(f"  {len(errors)} errors, first: {errors[0]}", file=sys.stderr)
    lat.sort()
    return {"signals": done, "seconds": round(elapsed, 2),
            "signals_per_s": round(done / elapsed, 1),
            "post_p50_ms": round(1000 * lat[len(lat) // 2], 1),
            "post_p99_ms": round(1000 * lat[int(len(lat) * 0.99)], 1),
            "errors": len(errors)}


def board(api: str, op: str, queries: int) -> dict[str, float]:
    times = []
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {op}"}, timeout=60) as c:
        r = c.get("/api/alerts", params={"state": "open"})
        r.raise_for_status()
        count = r.json()["count"]
        for _ in range(queries):
            t = time.perf_counter()
            r = c.get("/api/alerts", params={"state": "open"})
            times.append(time.perf_counter() - t)
            r.raise_for_status()
    times.sort()
    return {"open_alerts": count, "queries": queries,
            "p50_ms": round(1000 * statistics.median(times), 1),
            "p99_ms": round(1000 * times[int(len(times) * 0.99) - 1], 1)}


def run_engine(name: str, tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    site = load_site()
    devices = [(d.id, d.building, d.unit) for d in site.devices.values()]
    server = None
    if name == "postgresql":
        server = start_postgres()
        import psycopg

        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        url = server.url("bench")
    else:
        url = f"sqlite:///{tmp}/bench.db"
    try:
        t = time.perf_counter()
        fill(url, args.alerts, args.open, site.id, devices)
        filled = round(time.perf_counter() - t, 1)
        print(f"[{name}] {args.alerts} alerts stored in {filled} s", flush=True)
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        group = ProcessGroup(tmp / f"log-{name}", env={"BUTLER_DB_URL": url,
                                                        "BUTLER_API_URL": api})
        try:
            cr = group.start("controlroom", ["-m", "controlroom"])
            group.wait_http(f"{api}/api/health", cr, timeout=120)
            # Access logging off would be faster; it stays on, as deployed.
            gw = token(api, "gateway", "gateway123")
            op = token(api, "operator", "operator123")
            before = board(api, op, args.queries)
            print(f"[{name}] board before ingest: {before}", flush=True)
            rate = ingest(api, gw, [d[0] for d in devices], args.signals, args.clients)
            print(f"[{name}] ingest: {rate}  load {load()}", flush=True)
            after = board(api, op, args.queries)
            print(f"[{name}] board after ingest: {after}", flush=True)
        finally:
            group.stop_all()
        return {"engine": name, "stored_alerts": args.alerts, "fill_s": filled,
                "ingest": rate, "board": after, "board_before_ingest": before,
                "load_after": load()}
    finally:
        if server is not None:
            server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--alerts", type=int, default=100_000, help="alerts stored beforehand")
    ap.add_argument("--open", type=int, default=1000, help="of which open")
    ap.add_argument("--signals", type=int, default=4000, help="signals posted")
    ap.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    ap.add_argument("--queries", type=int, default=200, help="board queries timed")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench-controlroom.json")
    args = ap.parse_args()
    result: dict[str, object] = {"machine": machine(), "load_before": load(),
                                 "uptime": subprocess.run(["uptime"], capture_output=True,
                                                          text=True).stdout.strip(),
                                 "args": {k: str(v) for k, v in vars(args).items()}}
    with tempfile.TemporaryDirectory(prefix="butler-bench-") as tmp:
        for name in args.engines.split(","):
            result[name] = run_engine(name.strip(), Path(tmp), args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    # The demo site file, with its demo passwords: demo mode (production is the default).
    os.environ.setdefault("BUTLER_DEMO", "1")
    main()
