"""The estate started as separate processes for end-to-end tests: a broker (embedded amqtt or
a mosquitto of the test's own), the control room on a temp SQLite file, the gateway and the
device simulator, each on free ports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from launcher.processes import ROOT, ProcessGroup, free_port

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)


def start_mosquitto(group: ProcessGroup, tmp: Path, port: int) -> None:
    conf = tmp / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "log_dest stdout\n")
    assert MOSQUITTO is not None
    child = group.start("mosquitto", [MOSQUITTO, "-c", str(conf)], python=False)
    group.wait_port("127.0.0.1", port, child)


@dataclass
class Stack:
    tmp: Path
    api_url: str
    mqtt_url: str
    group: ProcessGroup
    control: Path
    env: dict[str, str] = field(default_factory=dict)

    def token(self, username: str, password: str) -> str:
        r = httpx.post(f"{self.api_url}/api/auth/token",
                       data={"username": username, "password": password}, timeout=10)
        r.raise_for_status()
        return str(r.json()["access_token"])

    def sim(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a firmware_sim command against this stack, as a person would."""
        return subprocess.run(
            [sys.executable, "-m", "firmware_sim", "--control", str(self.control),
             "--state-file", str(self.tmp / "sim-state.json"), *args],
            cwd=ROOT, env={**self.group_env(), **self.env}, capture_output=True, text=True,
            timeout=30, check=True)

    def group_env(self) -> dict[str, str]:
        import os

        return {**os.environ, **self.group.env}


@contextmanager
def running_stack(tmp: Path, broker: str = "embedded") -> Iterator[Stack]:
    mqtt_port, api_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    mqtt_url = f"mqtt://127.0.0.1:{mqtt_port}"
    env = {"BUTLER_DB_URL": f"sqlite:///{tmp}/butler.db", "BUTLER_API_URL": api_url,
           "BUTLER_MQTT_URL": mqtt_url}
    group = ProcessGroup(tmp / "log", env=env)
    control = tmp / "sim.sock"
    try:
        if broker == "mosquitto":
            start_mosquitto(group, tmp, mqtt_port)
        else:
            b = group.start("broker", ["-m", "gateway.embedded_broker", "--port", str(mqtt_port)])
            group.wait_port("127.0.0.1", mqtt_port, b)
        cr = group.start("controlroom", ["-m", "controlroom"])
        group.wait_http(f"{api_url}/api/health", cr, timeout=60)
        group.start("gateway", ["-m", "gateway"])
        sim = group.start("firmware_sim", ["-m", "firmware_sim", "--control", str(control),
                                           "--state-file", str(tmp / "sim-state.json"), "run"])
        group.wait_for("the simulation's control socket", control.exists, 60, sim)
        yield Stack(tmp, api_url, mqtt_url, group, control)
    finally:
        group.stop_all()


class SseCollector:
    """Reads an SSE stream in a thread and keeps every event, for assertions."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[dict[str, object]] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))
        self._thread = threading.Thread(target=self._run, args=(url, token), daemon=True)
        self._thread.start()

    def _run(self, url: str, token: str) -> None:
        try:
            with self._client.stream("GET", url,
                                     headers={"Authorization": f"Bearer {token}"}) as r:
                self.connected.set()
                event, data = "", ""
                for line in r.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip()
                    elif line == "" and data and event == "alert":
                        with self._cond:
                            self.events.append({"event": event, **json.loads(data)})
                            self._cond.notify_all()
                        event, data = "", ""
                    elif line == "":
                        event, data = "", ""
        except httpx.HTTPError:
            return

    def wait_for(self, pred, timeout: float) -> dict[str, object] | None:  # type: ignore[no-untyped-def]
        with self._cond:
            ok = self._cond.wait_for(lambda: any(pred(e) for e in self.events), timeout)
            return next(e for e in self.events if pred(e)) if ok else None

    def close(self) -> None:
        self._stop.set()
        self._client.close()
