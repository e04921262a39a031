"""`make bench-scale`: 50,000 simulated devices across 2 gateway replicas on a 3-node NATS
cluster (JetStream, each node's MQTT listener), and what an operator would notice: alerts per
second, alarm latency (device publish -> alert on the control room's SSE stream), and the
memory of each replica.

One run, everything started by the script on free ports (tests/support-style):
- a 3-node NATS cluster (launcher/nats_cluster.py), the control room on SQLite, two gateway
  replicas (`python -m gateway --source nats`), a site of 25,000 flats = 50,000 devices;
- the devices: `firmware_sim load --mode per-device` workers, one MQTT connection per device
  (client id = device id, last will), a third of them on each node, each device sending
  contract telemetry at QoS 0 once a minute (its heartbeat). The site's supervision interval
  is 600 s: connecting 50,000 MQTT sessions to nats-server takes minutes (each session is
  written to a replicated stream), and the devices only start sending once all are connected;
  a shorter interval would mark the first-connected devices offline before they spoke;
- under that load: (1) latency: gas alarms of distinct detectors published one every 250 ms;
  (2) burst: a burst of gas alarms of other detectors published at once over a few
  connections; the rate at which their alerts reach the SSE stream is "alerts per second".

Prints the figures (bench/scale_report.py) and writes them as JSON (--out). Run by hand;
figures go to docs/benchmarks.md with the machine and its load (`uptime`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale_report import latencies, machine, print_summary, uptime  # noqa: E402
from config.loader import load_site  # noqa: E402
from firmware_sim.load import device_list  # noqa: E402
from firmware_sim.load_processes import run_processes  # noqa: E402
from firmware_sim.load_report import Plan  # noqa: E402
from launcher.nats_cluster import NATS_SERVER, NatsCluster  # noqa: E402
from launcher.processes import ProcessGroup, free_port  # noqa: E402
from tests.support.sites import small_site_text  # noqa: E402

SITE = "scalesite"
REPLICAS = ("gateway-a", "gateway-b")


def rss_mb(pid: int) -> float:
    try:
        m = re.search(r"^VmRSS:\s*(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return 0.0
    return int(m.group(1)) / 1024 if m else 0.0


def raise_nofile(want: int) -> None:
    """Each NATS node holds a third of the devices' connections and each load worker a
    third of them: raise the file limit for ourselves and so for them (as root, past the
    hard limit too). A third of 50,000 fits under the usual 20,000 either way."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for target in ((want, max(want, hard)), (min(want, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, target)
            return
        except (ValueError, OSError):
            continue


class Sse:
    """The control room's alert stream: when each device's first gas_alarm alert arrived."""

    def __init__(self, url: str, token: str) -> None:
        self.arrived: dict[str, float] = {}
        self.ready = threading.Event()
        self._stop = threading.Event()
        threading.Thread(target=self._run, args=(url, token), daemon=True).start()

    def _run(self, url: str, token: str) -> None:
        while not self._stop.is_set():
            try:
                with httpx.stream("GET", url, headers={"Authorization": f"Bearer {token}"},
                                  timeout=httpx.Timeout(10.0, read=None)) as r:
                    self.ready.set()
                    event = ""
                    for line in r.iter_lines():
                        if line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("data:") and event == "alert":
                            a = json.loads(line[5:])
                            if a.get("kind") == "gas_alarm":
                                self.arrived.setdefault(str(a["device"]), time.time())
            except httpx.HTTPError:
                time.sleep(0.5)

    def close(self) -> None:
        self._stop.set()


def alarm_body(seq: int, boot: int) -> bytes:
    return json.dumps({"seq": seq, "boot": boot, "ts": int(time.time() * 1000),
                       "type": "gas", "state": "alarm", "lel": 30.0}).encode()


class Publishers:
    """Alarm publishers spread over the nodes. nats-server handles one MQTT connection's
    QoS 1 publishes one after the other (each is stored in R3 before its PUBACK), as a
    device's own connection would: a burst from many devices is many connections, so the
    burst uses many. `acked[device]` is when the broker's PUBACK came back."""

    def __init__(self, urls: list[str], n: int) -> None:
        self.clients: list[mqtt.Client] = []
        self.acked: dict[str, float] = {}
        self._mids: dict[tuple[int, int], str] = {}
        self._early: dict[tuple[int, int], float] = {}
        self._lock = threading.Lock()
        for i in range(n):
            host, port = urls[i % len(urls)].removeprefix("mqtt://").split(":")
            c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-alarms-{i}",
                            protocol=mqtt.MQTTv311, userdata=i)
            c.max_inflight_messages_set(1000)
            c.on_publish = self._puback
            c.connect(host, int(port), keepalive=60)
            c.loop_start()
            self.clients.append(c)

    def _puback(self, _c: mqtt.Client, userdata: int, mid: int, *_: object) -> None:
        now = time.time()
        with self._lock:
            dev = self._mids.pop((userdata, mid), None)
            if dev is None:  # the PUBACK came before publish() returned
                self._early[(userdata, mid)] = now
        if dev is not None:
            self.acked.setdefault(dev, now)

    def publish(self, i: int, device: str, body: bytes) -> None:
        k = i % len(self.clients)
        info = self.clients[k].publish(f"estate/v1/{SITE}/{device}/evt", body, qos=1)
        with self._lock:
            early = self._early.pop((k, info.mid), None)
            if early is None:
                self._mids[(k, info.mid)] = device
        if early is not None:
            self.acked.setdefault(device, early)

    def close(self) -> None:
        for c in self.clients:
            c.loop_stop()
            c.disconnect()


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--devices", type=int, default=50_000)
    ap.add_argument("--rate", type=float, default=1 / 60,
                    help="heartbeats per second per device (default: one a minute)")
    ap.add_argument("--seconds", type=float, default=480.0,
                    help="how long the devices send (default: 480: the warm-up, the paced "
                         "alarms and the burst all happen under the heartbeat load)")
    ap.add_argument("--latency-alarms", type=int, default=200)
    ap.add_argument("--burst", type=int, default=2000, help="alarms in the burst")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "scale.json")
    return ap.parse_args()


def main() -> int:
    args = _parse_args()
    if NATS_SERVER is None:
        sys.exit("nats-server is not installed: scripts/system-deps.sh test")
    raise_nofile(4 * args.devices // 3 + 4096)
    tmp = ROOT / "var" / "bench" / "scale"
    subprocess.run(["rm", "-rf", str(tmp)], check=True)
    tmp.mkdir(parents=True)
    flats = args.devices // 2  # a gas detector and a panic button per flat
    per_floor = max(1, flats // (10 * 50))  # 25,000 flats: 10 entrances x 50 floors x 50
    site_path = tmp / "site.toml"
    site_path.write_text(small_site_text(SITE, floors=50, flats=per_floor, entrances=10,
                                         interval_s=600))
    run = Run(args, tmp, site_path)
    print(f"machine: {run.result['machine']}\nload: {run.result['uptime_before']}", flush=True)
    try:
        run.start_stack()
        run.start_load()
        run.wait_connected()
        run.warm_up()
        boot = run.boot
        pubs = Publishers([n.mqtt_url for n in run.cluster.nodes], 60)
        run.latency_round(pubs, boot)
        run.burst_round(pubs, boot)
        run.collect_end(pubs)
    finally:
        if run.sse is not None:
            run.sse.close()
        run.group.stop_all()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(run.result, indent=2) + "\n")
    print_summary(run.result, args.out)
    return 0


class Run:
    """One bench run: the stack it started, the devices' load, and the figures (`result`)."""

    def __init__(self, args: argparse.Namespace, tmp: Path, site_path: Path) -> None:
        self.args, self.tmp, self.site_path = args, tmp, site_path
        self.site = load_site(site_path)
        api_port = free_port()
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.group = ProcessGroup(tmp / "log", env={
            "BUTLER_DB_URL": f"sqlite:///{tmp}/butler.db", "BUTLER_API_URL": self.api_url})
        self.cluster = NatsCluster(self.group, tmp)
        self.result: dict[str, Any] = {
            "machine": machine(), "uptime_before": uptime(),
            "devices": len(self.site.devices), "rate_per_device": args.rate}
        self.sse: Sse | None = None
        self.metrics: dict[str, int] = {}
        self.rss_peak = dict.fromkeys(REPLICAS, 0.0)
        self.nats_peak = {n.name: 0.0 for n in self.cluster.nodes}
        self.children: dict[str, Any] = {}
        self.devices: list[tuple[str, str]] = []
        self.boot = int(time.time())
        self.load_result: dict[str, Any] = {}
        self.load_thread: threading.Thread | None = None
        self.t_connect = 0.0

    def start_stack(self) -> None:
        """The NATS cluster, the control room, both gateway replicas and the SSE listener."""
        site_path, tmp = self.site_path, self.tmp
        self.cluster.start_all()
        cr = self.group.start("controlroom", ["-m", "controlroom", "--config", str(site_path)])
        self.group.wait_http(f"{self.api_url}/api/health", cr, timeout=120)
        gws = {}
        for i, name in enumerate(REPLICAS):
            self.metrics[name] = free_port()
            urls = self.cluster.nats_urls[i + 1:] + self.cluster.nats_urls[:i + 1]
            (tmp / name).mkdir()
            gws[name] = self.group.start(name, [
                "-m", "gateway", "--config", str(site_path), "--source", "nats",
                "--nats-url", ",".join(urls), "--client-id", name,
                "--state-dir", str(tmp / name), "--metrics-port", str(self.metrics[name])])
        for name in REPLICAS:
            self.group.wait_http(f"http://127.0.0.1:{self.metrics[name]}/health", gws[name], 60)
        token = httpx.post(f"{self.api_url}/api/auth/token",
                           data={"username": "operator", "password": "operator123"},
                           timeout=30).json()["access_token"]
        self.sse = Sse(f"{self.api_url}/api/alerts/stream", token)
        self.sse.ready.wait(30)

    def start_load(self) -> None:
        """The devices: a third on each node, each a connection of its own."""
        args = self.args
        devices = self.devices = device_list(self.site, args.devices)
        run_token = secrets.token_hex(3)
        parts = len(self.cluster.nodes)
        plans = []
        for w, node in enumerate(self.cluster.nodes):
            part = devices[len(devices) * w // parts:len(devices) * (w + 1) // parts]
            plans.append(Plan("127.0.0.1", node.mqtt_port, SITE, part, args.rate,
                              args.seconds, "per-device", len(part), 0, self.boot, 100, 180.0,
                              10.0, w, run_token))
        cmd = (f"firmware_sim load --mode per-device --qos 0 --rate {args.rate:.6g} "
               f"--seconds {args.seconds:g}: {len(devices)} devices in {parts} worker "
               "processes, one per NATS node's MQTT port")
        self.result["load_command"] = cmd
        print(f"devices connecting: {cmd}", flush=True)
        self.t_connect = time.monotonic()

        def run_load() -> None:
            self.load_result["report"] = run_processes(plans)

        self.load_thread = threading.Thread(target=run_load, daemon=True)
        self.load_thread.start()
        self.children = {c.name: c for c in self.group.children}

    def sample(self) -> None:
        for name in REPLICAS:
            self.rss_peak[name] = max(self.rss_peak[name],
                                      rss_mb(self.children[name].proc.pid))
        for n in self.cluster.nodes:
            self.nats_peak[n.name] = max(self.nats_peak[n.name],
                                         rss_mb(self.children[f"nats-{n.name}"].proc.pid))

    def connected(self) -> int:
        total = 0
        for n in self.cluster.nodes:
            with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                total += httpx.get(f"http://127.0.0.1:{n.http_port}/varz",
                                   timeout=5).json()["connections"]
        return total

    def wait_connected(self) -> None:
        # The load workers start sending once each has tried every device's connection; a
        # few may have failed (they are counted in the load's report). Sending has begun
        # when the count stops growing.
        assert self.load_thread is not None
        devices = self.devices
        last, still = -1, 0.0
        while self.load_thread.is_alive() and self.connected() < len(devices) + len(REPLICAS):
            self.sample()
            n = self.connected()
            still = still + 2 if n == last and n > 0.9 * len(devices) else 0.0
            if still >= 20:
                break
            last = n
            time.sleep(2)
        self.result["connect_s"] = round(time.monotonic() - self.t_connect, 1)
        self.result["connected"] = self.connected() - len(REPLICAS)
        print(f"{self.result['connected']} of {len(devices)} devices connected in "
              f"{self.result['connect_s']} s", flush=True)

    def warm_up(self) -> None:
        # One full heartbeat round (60 s at 1/min) before measuring: every device has
        # spoken and the supervising replica has reported their health once.
        t_send = time.monotonic()
        warmup = min(70.0, self.args.seconds / 3)
        while time.monotonic() - t_send < warmup:
            self.sample()
            time.sleep(1)

    def _gas(self) -> list[Any]:
        return [d for d in self.site.devices.values() if d.kind == "gas_detector"]

    def latency_round(self, pubs: Publishers, boot: int) -> None:
        assert self.sse is not None
        lat_devs = self._gas()[:self.args.latency_alarms]
        print(f"1/2 latency: {len(lat_devs)} alarms, one per 250 ms ...", flush=True)
        published: dict[str, float] = {}
        for i, d in enumerate(lat_devs):
            published[d.id] = time.time()
            pubs.publish(i, d.id, alarm_body(1, boot))
            time.sleep(0.25)
            if i % 4 == 0:
                self.sample()
        deadline = time.time() + 60
        while time.time() < deadline and not all(d in self.sse.arrived for d in published):
            time.sleep(0.2)
        self.result["latency"] = latencies(published, self.sse.arrived, pubs.acked)
        print(f"    {self.result['latency']}", flush=True)

    def burst_round(self, pubs: Publishers, boot: int) -> None:
        assert self.sse is not None
        args, sse = self.args, self.sse
        burst_devs = self._gas()[args.latency_alarms:args.latency_alarms + args.burst]
        print(f"2/2 burst: {len(burst_devs)} alarms at once ...", flush=True)
        burst: dict[str, float] = {}
        t0 = time.time()
        for i, d in enumerate(burst_devs):
            burst[d.id] = time.time()
            pubs.publish(i, d.id, alarm_body(1, boot))
        t_pub = time.time() - t0
        deadline = time.time() + 300
        while time.time() < deadline and not all(d in sse.arrived for d in burst):
            self.sample()
            time.sleep(0.5)
        got = [sse.arrived[d] for d in burst if d in sse.arrived]
        span = (max(got) - t0) if got else float("nan")
        acks = [pubs.acked[d] for d in burst if d in pubs.acked]
        self.result["burst"] = latencies(burst, sse.arrived, pubs.acked) | {
            "all_stored_after_s": round(max(acks) - t0, 2) if acks else float("nan"),
            "publish_s": round(t_pub, 2), "last_alert_after_s": round(span, 2),
            "alerts_per_s": round(len(got) / span, 1) if got else 0.0}
        print(f"    {self.result['burst']}", flush=True)

    def collect_end(self, pubs: Publishers) -> None:
        """Memory, the replicas' counters and the load's own report."""
        result = self.result
        self.sample()
        result["rss_mb"] = {name: {"peak": round(self.rss_peak[name], 1),
                                   "end": round(rss_mb(self.children[name].proc.pid), 1)}
                            for name in REPLICAS}
        result["nats_rss_peak_mb"] = {k: round(v, 1) for k, v in self.nats_peak.items()}
        for name in REPLICAS:
            text = httpx.get(f"http://127.0.0.1:{self.metrics[name]}/metrics", timeout=10).text
            result.setdefault("replica_metrics", {})[name] = dict(re.findall(
                r"^butler_gateway_(messages_received_total|signals_total|delivered_total|"
                r"outbox_depth|devices_offline) (\S+)$", text, re.M))
        result["uptime_after"] = uptime()
        pubs.close()
        assert self.load_thread is not None
        self.load_thread.join(self.args.seconds + 120)
        rep = self.load_result.get("report")
        if rep is not None:
            result["load"] = {k: getattr(rep, k) for k in (
                "devices", "connected", "connect_failed", "sent", "behind", "sent_per_s",
                "connect_s", "peak_rss_mb", "rss_sum_mb")}


if __name__ == "__main__":
    # The demo site file, with its demo passwords: demo mode (production is the default).
    os.environ.setdefault("BUTLER_DEMO", "1")
    raise SystemExit(main())
