"""`python -m firmware_sim load` against a mosquitto of the test's own: what the report says was
sent and acknowledged is what a subscriber received, and every payload is contract telemetry
with a per-device sequence."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from config import load_site
from firmware_sim import payloads
from firmware_sim.load import device_list, raise_fd_limit
from firmware_sim.load_worker import telemetry_payload, telemetry_tail
from gateway.protocol import parse_telemetry, parse_topic
from launcher.processes import ROOT, ProcessGroup, free_port
from tests.support.stack import MOSQUITTO, start_mosquitto

needs_mosquitto = pytest.mark.skipif(
    MOSQUITTO is None, reason="mosquitto is not installed (apt-get install mosquitto)")
TEL_KEYS = {"seq", "boot", "ts", "lel", "batt", "rssi"}


# -- no broker ------------------------------------------------------------------------------

@pytest.mark.parametrize("fields", [
    {}, {"batt": 95}, {"batt": 80, "rssi": -61, "lel": 0.3}, {"batt": 77, "rssi": -84, "lel": 0.0},
])
def test_the_payload_template_is_byte_for_byte_the_contract_builder(
        fields: dict[str, object]) -> None:
    built = payloads.telemetry(4711, 3, 1795000000123, **fields)
    assert telemetry_payload(4711, 3, 1795000000123, telemetry_tail(fields)) == built


def test_devices_are_the_site_s_first_then_synthetic() -> None:
    site = load_site()
    own = list(site.devices)
    assert [d for d, _ in device_list(site, 3)] == own[:3]
    many = device_list(site, len(own) + 2)
    assert [d for d, _ in many[:len(own)]] == own
    assert [d for d, _ in many[len(own):]] == ["load-00001", "load-00002"]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", d) for d, _ in many)


def test_an_impossible_file_limit_is_a_clear_error() -> None:
    assert raise_fd_limit(16) is None
    err = raise_fd_limit(10**12)
    if err is not None:  # None only where the limit is infinite
        assert "open files" in err and "--processes" in err


# -- against mosquitto ----------------------------------------------------------------------

class Counter:
    """A plain paho subscriber on every device's telemetry, keeping what arrives."""

    def __init__(self, port: int) -> None:
        self.received: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                   client_id=f"test-load-counter-{port}")
        self._client.on_connect = lambda c, *_: c.subscribe("estate/v1/+/+/tel", qos=1)
        self._client.on_subscribe = lambda *_: self._subscribed.set()
        self._client.on_message = self._on_message
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()
        assert self._subscribed.wait(30), "the counting subscriber did not get its SUBACK"

    def _on_message(self, _c: object, _u: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.received.append((msg.topic, bytes(msg.payload)))

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def settle(self, expected: int, timeout: float = 30.0) -> int:
        """Wait for `expected` messages, then a moment longer for any extra."""
        deadline = time.monotonic() + timeout
        while self.count() < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        return self.count()

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    group = ProcessGroup(tmp_path / "log")
    try:
        start_mosquitto(group, tmp_path, port)  # waits for the port by polling
        yield port
    finally:
        group.stop_all()


def run_load(port: int, out: Path, *args: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "firmware_sim", "--mqtt-url", f"mqtt://127.0.0.1:{port}",
         "load", *args, "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"load exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    assert "load report:" in proc.stdout
    report: dict[str, object] = json.loads(out.read_text())
    return report


@pytest.mark.parametrize(("devices", "rate", "extra"), [
    pytest.param(50, 5, ["--mode", "per-device"], id="per-device"),
    pytest.param(50, 5, ["--mode", "multiplexed", "--connections", "4"], id="multiplexed"),
    pytest.param(600, 1, ["--mode", "multiplexed", "--processes", "2"],
                 id="multiplexed-2-processes-with-synthetic-devices"),
    pytest.param(600, 1, ["--mode", "per-device", "--processes", "2"],
                 id="per-device-2-processes-with-synthetic-devices"),
])
@pytest.mark.mosquitto
@needs_mosquitto
def test_what_was_sent_and_acknowledged_is_what_a_subscriber_received(
        broker: int, tmp_path: Path, devices: int, rate: int, extra: list[str]) -> None:
    seconds = 2
    counter = Counter(broker)
    try:
        report = run_load(broker, tmp_path / "report.json", "--devices", str(devices),
                          "--rate", str(rate), "--seconds", str(seconds), "--boot", "7", *extra)
        expected = devices * rate * seconds
        received = counter.settle(expected)
    finally:
        counter.close()

    assert report["scheduled"] == expected
    assert report["sent"] == report["acked"] == expected
    assert received == expected
    assert report["failed"] == report["lost"] == report["unacked"] == report["behind"] == 0
    assert report["connect_failed"] == 0 and report["devices"] == devices
    assert report["target_rate"] == devices * rate
    assert report["sent_per_s"] > 0 and report["cpu_s"] > 0 and report["peak_rss_mb"] > 0

    site = load_site()
    ids = [d for d, _ in device_list(site, devices)]
    seqs: dict[str, list[int]] = {}
    for topic, payload in counter.received:
        t = parse_topic(topic)
        assert (t.site, t.channel) == (site.id, "tel")
        tel = parse_telemetry(t.device, payload)  # the gateway's own reading of the contract
        body = json.loads(payload)
        assert set(body) <= TEL_KEYS and {"seq", "boot", "ts"} <= set(body)
        assert tel.boot == 7 and abs(tel.ts - time.time() * 1000) < 120_000
        assert tel.batt is not None and tel.rssi is not None
        seqs.setdefault(t.device, []).append(tel.seq)
    assert sorted(seqs) == sorted(ids)
    for device, got in seqs.items():  # in order, from 1, none lost or repeated
        assert got == list(range(1, rate * seconds + 1)), device
