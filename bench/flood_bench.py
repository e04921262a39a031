"""`make bench-flood`: every gas detector and panic button of a site alarms at once; the time
from the first publish to the last alert on the control room's SSE stream, side by side with a
bare paho subscriber on the same broker in the same run.

For each engine (SQLite; PostgreSQL on a server of the benchmark's own, never the machine's)
and each site (the demo site, 577 devices; a 10,000-device site):
1. a mosquitto of its own (free port), the control room and the gateway are started fresh;
2. a warm-up: one tamper event, waited for on the SSE stream (everything is connected);
3. the flood: one gas alarm per detector and one press per button, published at QoS 1 as
   fast as one client can; a bare paho subscriber (QoS 1, subscribed before) counts them;
4. the figures: bare subscriber's last message, the gateway's last delivery and the SSE
   stream's last alert, each after the first publish; and the ratio to the bare subscriber.

Prints the figures and writes them as JSON (--out). Everything runs on one machine: the
publisher, the subscriber and the stream reader take CPU from the system measured.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.controlroom_bench import machine  # noqa: E402
from config import load_site  # noqa: E402
from launcher.mosquitto import MOSQUITTO, start_mosquitto  # noqa: E402
from launcher.postgres import start_postgres  # noqa: E402
from launcher.processes import ProcessGroup, free_port  # noqa: E402
from tests.support.sites import small_site_text  # noqa: E402

ALARM_KINDS = {"gas_detector": ("gas", "alarm", "gas_alarm"),
               "panic_button": ("panic", "pressed", "panic")}
EXTRA = {"gas": {"lel": 30.0}, "panic": {}}


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


class Stream:
    """The control room's SSE stream: when each device's first alert of a kind arrived."""

    def __init__(self, api: str, token: str) -> None:
        self.first: dict[tuple[str, str], float] = {}
        self.events = 0
        self.ready = threading.Event()
        self.stop = threading.Event()
        self._t = threading.Thread(target=self._run, args=(api, token), daemon=True)
        self._t.start()
        if not self.ready.wait(30):
            raise RuntimeError("the SSE stream did not open")

    def _run(self, api: str, token: str) -> None:
        try:
            self._read(api, token)
        except httpx.HTTPError:
            if not self.stop.is_set():
                raise  # the stream ended before the run did

    def _read(self, api: str, token: str) -> None:
        with httpx.stream("GET", f"{api}/api/alerts/stream",
                          headers={"Authorization": f"Bearer {token}"},
                          timeout=httpx.Timeout(10.0, read=None)) as r:
            self.ready.set()
            event = ""
            for line in r.iter_lines():
                if self.stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "alert":
                    now = time.time()
                    self.events += 1
                    a = json.loads(line[5:])
                    self.first.setdefault((str(a["device"]), str(a["kind"])), now)


class Bare:
    """A paho subscriber that only notes when each event arrives."""

    def __init__(self, port: int, site: str) -> None:
        self.times: list[float] = []
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-bare-{os.getpid()}")
        self.c.on_message = lambda *_: self.times.append(time.time())
        subscribed = threading.Event()
        self.c.on_subscribe = lambda *_: subscribed.set()
        self.c.connect("127.0.0.1", port)
        self.c.subscribe(f"estate/v1/{site}/+/evt", qos=1)
        self.c.loop_start()
        if not subscribed.wait(10):
            raise RuntimeError("the bare subscriber did not subscribe")

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


def wait(cond: object, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise TimeoutError(what)


def run_one(engine: str, site_name: str, site_path: Path, tmp: Path,
            timeout: float) -> dict[str, object]:
    site = load_site(site_path)
    devices = [(d.id, *ALARM_KINDS[d.kind]) for d in site.devices.values()
               if d.kind in ALARM_KINDS]
    server = None
    run_dir = tmp / f"{engine}-{site_name}"
    run_dir.mkdir(parents=True)
    if engine == "postgresql":
        server = start_postgres()
        import psycopg

        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE flood")
        db_url = server.url("flood")
    else:
        db_url = f"sqlite:///{run_dir}/butler.db"
    port, api_port, metrics_port = free_port(), free_port(), free_port()
    mqtt_url, api = f"mqtt://127.0.0.1:{port}", f"http://127.0.0.1:{api_port}"
    group = ProcessGroup(run_dir / "log", env={"BUTLER_DB_URL": db_url, "BUTLER_API_URL": api,
                                               "BUTLER_MQTT_URL": mqtt_url})
    try:
        start_mosquitto(group, run_dir, port)
        cr = group.start("controlroom", ["-m", "controlroom", "--config", str(site_path)])
        group.wait_http(f"{api}/api/health", cr, timeout=120)
        gw = group.start("gateway", ["-m", "gateway", "--config", str(site_path), "--state-dir",
                                     str(run_dir), "--metrics-port", str(metrics_port)])
        group.wait_http(f"http://127.0.0.1:{metrics_port}/health", gw, timeout=60)
        token = httpx.post(f"{api}/api/auth/token",
                           data={"username": "operator", "password": "operator123"},
                           timeout=30).json()["access_token"]
        stream = Stream(api, token)
        bare = Bare(port, site.id)
        pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{os.getpid()}")
        pub.max_inflight_messages_set(1000)
        pub.max_queued_messages_set(0)
        pub.connect("127.0.0.1", port)
        pub.loop_start()
        boot = random.randint(1, 2**31)
        warm = devices[0][0]
        pub.publish(f"estate/v1/{site.id}/{warm}/evt", json.dumps(
            {"seq": 1, "boot": boot, "ts": int(time.time() * 1000), "type": "tamper",
             "state": "open"}), qos=1)
        wait(lambda: (warm, "tamper") in stream.first, 60, "the warm-up alert")
        bare.times.clear()
        ts = int(time.time() * 1000)
        payloads = [(f"estate/v1/{site.id}/{dev}/evt", json.dumps(
            {"seq": 2, "boot": boot, "ts": ts, "type": etype, "state": state} | EXTRA[etype]))
            for dev, etype, state, _ in devices]
        want = {(dev, kind) for dev, _, _, kind in devices}
        load_before = loadavg()
        t0 = time.time()
        for topic, body in payloads:
            pub.publish(topic, body, qos=1)
        t_published = time.time()
        try:
            wait(lambda: want <= stream.first.keys() and len(bare.times) >= len(payloads),
                 timeout, "every alert on the stream")
            complete = True
        except TimeoutError:
            complete = False
        arrived = [stream.first[k] for k in want if k in stream.first]
        sse_last = max(arrived) - t0 if arrived else float("nan")
        bare_last = max(bare.times) - t0 if bare.times else float("nan")
        result: dict[str, object] = {
            "engine": engine, "site": site_name, "alarms": len(payloads),
            "publish_s": round(t_published - t0, 3),
            "bare_received": len(bare.times), "bare_last_s": round(bare_last, 3),
            "sse_alerts": len(arrived), "sse_last_s": round(sse_last, 3),
            "sse_p50_s": round(sorted(arrived)[len(arrived) // 2] - t0, 3) if arrived else None,
            "alerts_per_s": round(len(arrived) / sse_last, 1) if arrived else 0,
            "ratio_to_bare": round(sse_last / bare_last, 1) if bare.times else None,
            "sse_events": stream.events, "complete": complete,
            "load_before": load_before, "load_after": loadavg(),
        }
        stream.stop.set()
        bare.close()
        pub.loop_stop()
        pub.disconnect()
        return result
    finally:
        group.stop_all()
        if server is not None:
            server.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--sites", default="demo,10k", help="demo (577 devices), 10k")
    ap.add_argument("--timeout", type=float, default=240.0,
                    help="seconds to wait for the last alert")
    ap.add_argument("--keep", type=Path, help="keep the runs' logs and databases here")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "flood.json")
    args = ap.parse_args()
    # The demo site file, with its demo passwords: demo mode (production is the default).
    os.environ.setdefault("BUTLER_DEMO", "1")
    if MOSQUITTO is None:
        sys.exit("mosquitto is not installed: apt-get install mosquitto")
    result: dict[str, object] = {
        "machine": machine(),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "runs": []}
    runs: list[dict[str, object]] = result["runs"]  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="butler-flood-") as tmp_name:
        tmp = Path(tmp_name)
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            args.keep.mkdir(parents=True)
            tmp = args.keep
        # 5 entrances x 25 floors x 40 flats = 5,000 flats: 10,000 devices. Supervision at
        # 10 min, so no device falls silent during the run.
        big = tmp / "site-10k.toml"
        big.write_text(small_site_text("floodsite", floors=25, flats=40, entrances=5,
                                       interval_s=600))
        sites = {"demo": ROOT / "config" / "site.toml", "10k": big}
        for site_name in args.sites.split(","):
            for engine in args.engines.split(","):
                print(f"[{engine} / {site_name}] ...", flush=True)
                r = run_one(engine.strip(), site_name.strip(), sites[site_name.strip()], tmp,
                            args.timeout)
                print(f"    {r}", flush=True)
                runs.append(r)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"\nmachine: {result['machine']}\n{result['uptime']}")
    print(f"{'engine':<11}{'site':<6}{'alarms':>7}{'bare s':>8}{'SSE s':>8}{'x bare':>8}"
          f"{'alerts/s':>10}  load before/after")
    for r in runs:
        print(f"{r['engine']:<11}{r['site']:<6}{r['alarms']:>7}{r['bare_last_s']:>8}"
              f"{r['sse_last_s']:>8}{r['ratio_to_bare']!s:>8}{r['alerts_per_s']:>10}  "
              f"{r['load_before']} / {r['load_after']}"
              + ("" if r["complete"] else "  INCOMPLETE"))
    print(f"figures: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
