"""`make bench-gateway`: the gateway's ingest rate against a bare counting subscriber, and
alarm latency from device publish to the control room's SSE stream under background load.

One run, one mosquitto of its own (free port, own config), a 10,000-device site:
1. bare: a paho subscriber that only counts takes a telemetry flood; its rate is the ceiling.
2. gateway: the same flood through the real gateway (every message validated, supervised);
   its rate is read from its /metrics counter.
3. latency: 10,000 devices send telemetry at 1 msg/s while gas alarms for distinct detectors
   are published one every 250 ms; each alarm's publish time is matched to the moment its
   alert arrives on the control room's SSE stream.

Prints the figures and writes them as JSON (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launcher.mosquitto import MOSQUITTO, start_mosquitto  # noqa: E402
from launcher.processes import ProcessGroup, free_port  # noqa: E402
from tests.support.sites import small_site_text  # noqa: E402

SITE = "benchsite"


def _load(site: Path, mqtt_url: str, devices: int, rate: float, seconds: float,
          out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "firmware_sim", "--config", str(site), "--mqtt-url", mqtt_url,
         "load", "--devices", str(devices), "--rate", str(rate), "--seconds", str(seconds),
         "--mode", "multiplexed", "--connections", "8", "--qos", "0", "--json", str(out)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _rate(samples: list[tuple[float, int]]) -> float:
    """Messages per second between the first and the last sample that moved the count."""
    moving = [(t, n) for i, (t, n) in enumerate(samples) if i == 0 or n != samples[i - 1][1]]
    if len(moving) < 2:
        return 0.0
    (t0, n0), (t1, n1) = moving[0], moving[-1]
    return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0


def bare_rate(port: int, site: Path, mqtt_url: str, devices: int, rate: float,
              seconds: float, tmp: Path) -> dict[str, float]:
    count = [0]
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-bare")

    def on_message(*_: object) -> None:
        count[0] += 1

    c.on_message = on_message
    c.connect("127.0.0.1", port)
    c.subscribe(f"estate/v1/{SITE}/+/tel", qos=0)
    c.loop_start()
    samples: list[tuple[float, int]] = []
    load = _load(site, mqtt_url, devices, rate, seconds, tmp / "bare-load.json")
    while load.poll() is None or (samples and samples[-1][1] != count[0]):
        samples.append((time.monotonic(), count[0]))
        time.sleep(0.25)
    c.loop_stop()
    c.disconnect()
    sent = json.loads((tmp / "bare-load.json").read_text())
    return {"received": count[0], "rate": _rate(samples), "sent": sent.get("sent", 0),
            "offered_rate": sent.get("sent_per_s", 0)}


def _gateway_received(metrics_url: str) -> int:
    text = httpx.get(metrics_url, timeout=5).text
    m = re.search(r"^butler_gateway_messages_received_total (\d+)", text, re.M)
    return int(m.group(1)) if m else 0


def gateway_rate(metrics_url: str, site: Path, mqtt_url: str, devices: int, rate: float,
                 seconds: float, tmp: Path) -> dict[str, float]:
    start = _gateway_received(metrics_url)
    samples: list[tuple[float, int]] = []
    load = _load(site, mqtt_url, devices, rate, seconds, tmp / "gw-load.json")
    while load.poll() is None or (samples and samples[-1][1] != samples[-2][1]
                                  if len(samples) > 1 else True):
        samples.append((time.monotonic(), _gateway_received(metrics_url) - start))
        time.sleep(0.25)
    sent = json.loads((tmp / "gw-load.json").read_text())
    return {"received": samples[-1][1], "rate": _rate(samples), "sent": sent.get("sent", 0),
            "offered_rate": sent.get("sent_per_s", 0)}


def latency(api_url: str, token: str, port: int, site: Path, mqtt_url: str, devices: int,
            alarms: int, tmp: Path) -> dict[str, float]:
    arrived: dict[str, float] = {}
    published: dict[str, float] = {}
    ready = threading.Event()
    stop = threading.Event()

    def stream() -> None:
        with httpx.stream("GET", f"{api_url}/api/alerts/stream",
                          headers={"Authorization": f"Bearer {token}"},
                          timeout=httpx.Timeout(10.0, read=None)) as r:
            ready.set()
            event = ""
            for line in r.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "alert":
                    a = json.loads(line[5:])
                    if a["kind"] == "gas_alarm" and a["device"] not in arrived:
                        arrived[a["device"]] = time.time()

    threading.Thread(target=stream, daemon=True).start()
    ready.wait(10)
    seconds = alarms * 0.25 + 20
    load = _load(site, mqtt_url, devices, 1.0, seconds, tmp / "lat-load.json")
    time.sleep(10)  # let the background load reach its steady rate before measuring
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-alarms")
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    targets = [f"gas-1-{e}-{f:02d}{n:02d}" for e in range(1, 6) for f in range(1, 26)
               for n in range(1, 41)][:alarms]
    for i, dev in enumerate(targets):
        body = {"seq": i + 1, "boot": 999_999, "ts": int(time.time() * 1000), "type": "gas",
                "state": "alarm", "lel": 30.0}
        published[dev] = time.time()
        pub.publish(f"estate/v1/{SITE}/{dev}/evt", json.dumps(body), qos=1)
        time.sleep(0.25)
    deadline = time.time() + 30
    while len(arrived) < len(published) and time.time() < deadline:
        time.sleep(0.2)
    stop.set()
    pub.loop_stop()
    load.wait(seconds + 60)
    lat = sorted((arrived[d] - t) * 1000 for d, t in published.items() if d in arrived)
    bg = json.loads((tmp / "lat-load.json").read_text())
    return {
        "alarms": len(published), "arrived": len(lat),
        "p50_ms": statistics.median(lat) if lat else float("nan"),
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan"),
        "max_ms": lat[-1] if lat else float("nan"),
        "background_rate": bg.get("sent_per_s", 0),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=10_000)
    ap.add_argument("--flood-rate", type=float, default=3.0,
                    help="messages per second per device in the ingest-rate flood")
    ap.add_argument("--flood-seconds", type=float, default=20.0)
    ap.add_argument("--alarms", type=int, default=200)
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "gateway.json")
    args = ap.parse_args()
    if MOSQUITTO is None:
        sys.exit("mosquitto is not installed: apt-get install mosquitto")
    tmp = ROOT / "var" / "bench" / "gateway"
    tmp.mkdir(parents=True, exist_ok=True)
    for old in tmp.glob("*"):
        if old.is_file():
            old.unlink()
    # 5 entrances x 25 floors x 40 flats = 5,000 flats, 10,000 devices.
    site = tmp / "site.toml"
    site.write_text(small_site_text(SITE, floors=25, flats=40, entrances=5, interval_s=60))
    port, api_port, metrics_port = free_port(), free_port(), free_port()
    mqtt_url, api_url = f"mqtt://127.0.0.1:{port}", f"http://127.0.0.1:{api_port}"
    group = ProcessGroup(tmp / "log", env={"BUTLER_DB_URL": f"sqlite:///{tmp}/butler.db",
                                           "BUTLER_API_URL": api_url,
                                           "BUTLER_MQTT_URL": mqtt_url})
    result: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "cpu": _cpu_model()}}
    try:
        start_mosquitto(group, tmp, port)
        print("1/3 bare subscriber ...", flush=True)
        result["bare"] = bare_rate(port, site, mqtt_url, args.devices, args.flood_rate,
                                   args.flood_seconds, tmp)
        print(f"    {result['bare']}", flush=True)
        cr = group.start("controlroom", ["-m", "controlroom", "--config", str(site)])
        group.wait_http(f"{api_url}/api/health", cr, timeout=60)
        gw = group.start("gateway", ["-m", "gateway", "--config", str(site), "--state-dir",
                                     str(tmp), "--metrics-port", str(metrics_port)])
        group.wait_http(f"http://127.0.0.1:{metrics_port}/health", gw, timeout=30)
        print("2/3 gateway ...", flush=True)
        result["gateway"] = gateway_rate(f"http://127.0.0.1:{metrics_port}/metrics", site,
                                         mqtt_url, args.devices, args.flood_rate,
                                         args.flood_seconds, tmp)
        print(f"    {result['gateway']}", flush=True)
        token = httpx.post(f"{api_url}/api/auth/token",
                           data={"username": "operator", "password": "operator123"}
                           ).json()["access_token"]
        print("3/3 alarm latency under background telemetry ...", flush=True)
        result["latency"] = latency(api_url, token, port, site, mqtt_url, args.devices,
                                    args.alarms, tmp)
        print(f"    {result['latency']}", flush=True)
    finally:
        group.stop_all()
    bare, gwr = result["bare"], result["gateway"]
    ratio = gwr["rate"] / bare["rate"] if bare["rate"] else 0.0  # type: ignore[index]
    result["gateway_vs_bare"] = ratio
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    lat = result["latency"]
    print(f"\ningest: bare {bare['rate']:.0f} msg/s, gateway {gwr['rate']:.0f} msg/s "  # type: ignore[index]
          f"({ratio:.0%} of bare; goal >= 50%)")
    print(f"alarm latency: p50 {lat['p50_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms "  # type: ignore[index]
          f"over {lat['arrived']}/{lat['alarms']} alarms (goal p99 <= 50 ms, issue 15)")  # type: ignore[index]
    print(f"figures: {args.out}")
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    # The demo site file, with its demo passwords: demo mode (production is the default).
    os.environ.setdefault("BUTLER_DEMO", "1")
    raise SystemExit(main())
