"""The estate started as separate processes for end-to-end tests: a broker (embedded amqtt or
a mosquitto of the test's own), the control room on a temp SQLite file, the gateway and the
device simulator, each on free ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from launcher.mosquitto import MOSQUITTO, start_mosquitto
from launcher.processes import ROOT, ProcessGroup, free_port
from tests.support.postgres import test_db_url
from tests.utils import token

__all__ = ["MOSQUITTO", "SseCollector", "Stack", "running_stack", "start_mosquitto"]

@dataclass
class Stack:
    """The estate's processes on free ports; each can be stopped, killed and started again."""

    tmp: Path
    broker: str = "embedded"  # or "mosquitto"
    site: Path | None = None  # default: the demo site
    persistence: bool = False  # mosquitto's, for restart tests
    db_url: str = ""  # default: a fresh database on the test engine (BUTLER_TEST_DB)
    mqtt_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    group: ProcessGroup = field(init=False)

    def __post_init__(self) -> None:
        self.db_url = self.db_url or test_db_url(self.tmp)
        self.group = ProcessGroup(self.tmp / "log", env={
            "BUTLER_DB_URL": self.db_url, "BUTLER_API_URL": self.api_url,
            "BUTLER_MQTT_URL": self.mqtt_url})

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def mqtt_url(self) -> str:
        return f"mqtt://127.0.0.1:{self.mqtt_port}"

    @property
    def control(self) -> Path:
        return self.tmp / "sim.sock"

    def _config(self) -> list[str]:
        return ["--config", str(self.site)] if self.site else []

    def start_broker(self) -> None:
        if self.broker == "mosquitto":
            start_mosquitto(self.group, self.tmp, self.mqtt_port, self.persistence)
        else:
            b = self.group.start("broker", ["-m", "gateway.embedded_broker", *self._config(),
                                            "--port", str(self.mqtt_port)])
            self.group.wait_port("127.0.0.1", self.mqtt_port, b)

    def start_controlroom(self) -> None:
        cr = self.group.start("controlroom", ["-m", "controlroom", *self._config()])
        self.group.wait_http(f"{self.api_url}/api/health", cr, timeout=60)

    def start_gateway(self) -> None:
        self.metrics_port = free_port()
        self.group.start("gateway", ["-m", "gateway", *self._config(), "--state-dir",
                                     str(self.tmp), "--metrics-port", str(self.metrics_port)])
        self.group.wait_http(f"http://127.0.0.1:{self.metrics_port}/health",
                             self._child("gateway"), timeout=30)

    def start_sim(self, *args: str) -> None:
        sim = self.group.start("firmware_sim", ["-m", "firmware_sim", *self._config(),
                                                "--control", str(self.control), "--state-file",
                                                str(self.tmp / "sim-state.json"), "run", *args])
        self.group.wait_for("the simulation's control socket", self.control.exists, 60, sim)

    def wait_sim_online(self, timeout: float = 60.0) -> None:
        """Until the simulator reports every device connected."""
        sim = self._child("firmware_sim")
        self.group.wait_for("every simulated device online",
                            lambda: "devices online" in sim.log.read_text(errors="replace"),
                            timeout, sim)

    def start_all(self, *sim_args: str) -> Stack:
        self.start_broker()
        self.start_controlroom()
        self.start_gateway()
        self.start_sim(*sim_args)
        return self

    def _child(self, name: str):  # type: ignore[no-untyped-def]
        return next(c for c in self.group.children if c.name == name)

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        self.group.stop(name, sig)

    def token(self, username: str, password: str) -> str:
        return token(self.api_url, username, password)

    def alerts(self, token: str, **params: object) -> list[dict[str, object]]:
        r = httpx.get(f"{self.api_url}/api/alerts",
                      params={"state": "all", "limit": 5000, **params},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
        r.raise_for_status()
        return list(r.json()["data"])

    def metrics(self) -> str:
        return httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text

    def sim(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a firmware_sim command against this stack, as a person would."""
        r = subprocess.run(
            [sys.executable, "-m", "firmware_sim", *self._config(), "--control",
             str(self.control), "--state-file", str(self.tmp / "sim-state.json"), *args],
            cwd=ROOT, env={**os.environ, **self.group.env}, capture_output=True, text=True,
            timeout=120)
        assert r.returncode == 0, f"firmware_sim {' '.join(args)}: {r.stdout}{r.stderr}"
        return r


@contextmanager
def running_stack(tmp: Path, broker: str = "embedded", site: Path | None = None,
                  sim_args: tuple[str, ...] = ()) -> Iterator[Stack]:
    stack = Stack(tmp, broker, site)
    try:
        stack.start_all(*sim_args)
        stack.wait_sim_online()
        yield stack
    finally:
        stack.group.stop_all()


class SseCollector:
    """Reads an SSE stream in a thread and keeps every event, for assertions."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[dict[str, object]] = []
        self.arrived: list[float] = []  # time.monotonic() of each event's arrival
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
                            self.arrived.append(time.monotonic())
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

    def arrival(self, event: dict[str, object]) -> float:
        """When `event` (one that `wait_for` returned) arrived, on time.monotonic()."""
        with self._cond:
            return self.arrived[next(i for i, e in enumerate(self.events) if e is event)]

    def close(self) -> None:
        self._stop.set()
        self._client.close()
