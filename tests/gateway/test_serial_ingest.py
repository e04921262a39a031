"""A wired alarm panel on a serial line (ARCHITECTURE §5), read by the gateway.

First the serial link on its own, on a pty, with a stand-in for the gateway's worker: noise,
NAKs, ACK only after recording, an unknown account, a port that goes away and comes back.
Then end to end: the simulated panel-2 of the demo site (firmware_sim.panel.SimPanel, written
independently from the contract) on a pty, `python -m gateway --panel panel-2=/dev/pts/N`, a
broker and the control room as processes, and the alarm API as the judge.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import threading
import time
import tty
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from config import Panel, load_site
from firmware_sim import dc09
from firmware_sim.panel import SimPanel
from gateway.quarantine import Quarantine
from gateway.serial_link import SerialLink
from gateway.service import Submitted
from launcher.processes import Child, ProcessGroup, free_port, tail
from tests.utils import wait_until

SITE = load_site()
PANEL = SITE.panels["panel-2"]  # account 2001, zones 001..004 -> 2-1-0101..2-1-0104
T = TypeVar("T")
WAIT_S = 60.0


def poll(what: str, check: Callable[[], T | None]) -> T:
    """Until `check` returns something truthy (through a gateway and a control room on a
    loaded machine: a generous wait, ended by the condition)."""
    return wait_until(what, check, WAIT_S, every=0.05)  # type: ignore[no-any-return]


# --- the link on its own -------------------------------------------------------------------------


class FakeGateway:
    """The gateway's worker, minus the outbox: records what is submitted and, once `release`
    is set, runs each `on_recorded` on its own thread, in order, as the worker does."""

    def __init__(self, hold: bool = False) -> None:
        self.quarantine = Quarantine()
        self.submitted: list[Submitted] = []
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self._q: queue.Queue[Submitted | None] = queue.Queue()
        self._t = threading.Thread(target=self._work, daemon=True)
        self._t.start()

    def submit(self, item: Submitted) -> None:
        self.submitted.append(item)
        self._q.put(item)

    def _work(self) -> None:
        while (item := self._q.get()) is not None:
            self.release.wait()
            if item.on_recorded is not None:
                item.on_recorded()

    def close(self) -> None:
        self.release.set()
        self._q.put(None)
        self._t.join(5)

    def signals(self) -> list[Any]:
        return [s for item in self.submitted for s in item.signals]


@contextlib.contextmanager
def raw_pty() -> Iterator[tuple[int, str]]:
    """(master fd, slave path): the test plays the panel byte by byte on the master side."""
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def read_answers(master: int, reader: dc09.FrameReader, want: int,
                 timeout: float = 10.0) -> list[dc09.Frame]:
    """Read until `want` frames came back (the simulator's own reader parses them)."""
    got: list[dc09.Frame] = []
    deadline = time.monotonic() + timeout
    while len(got) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"only {len(got)} of {want} answers: {got}")
        if select.select([master], [], [], left)[0]:
            got += reader.feed(os.read(master, 4096))
    return got


def pending(master: int) -> bytes:
    """Whatever the link has written and the test has not read yet."""
    out = b""
    while select.select([master], [], [], 0)[0]:
        out += os.read(master, 4096)
    return out


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    gw = FakeGateway()
    yield gw
    gw.close()


def test_noise_partial_frames_nak_and_ack_only_after_recording() -> None:
    gw = FakeGateway(hold=True)
    gas = dc09.encode_frame(dc09.cid_message(1, "0", "0", "2001", 1, 151, 1, 1))
    bad = dc09.corrupt(dc09.encode_frame(dc09.cid_message(2, "0", "0", "2001", 1, 120, 1, 2)),
                       "crc")
    with raw_pty() as (master, path):
        link = SerialLink(gw, PANEL, path).start()
        try:
            assert link.connected.wait(5)
            answers = dc09.FrameReader()
            os.write(master, b"\x00\x13line noise\r" + gas[:20])
            os.write(master, gas[20:] + b"more noise" + bad)
            [nak] = read_answers(master, answers, 1)
            assert nak.valid and nak.kind == "NAK" and nak.account is None
            # The gas frame came first and was handed to the worker, but the worker has not
            # recorded it: the panel must not have been told it was delivered.
            assert pending(master) == b""
            [item] = gw.submitted
            [sig] = item.signals
            assert (sig.kind, sig.priority, sig.zone, sig.device) == ("gas_alarm", 1, "001",
                                                                      "panel-2")
            assert item.heard == ["panel-2"]
            gw.release.set()
            [ack] = read_answers(master, answers, 1)
            assert ack.acknowledges(1, "0", "0", "2001")
            assert gw.quarantine.counts == {"bad_crc": 1}
            assert link.reader.noise >= len(b"\x00\x13line noise\r")
        finally:
            link.stop()
            gw.close()
    assert link.connected.is_set() is False


def test_a_panel_with_an_unknown_account_is_acked_and_quarantined(fake: FakeGateway) -> None:
    stranger = Panel("panel-x", "2", "9999", "sim", dict(PANEL.zones), 3600)
    with SimPanel(stranger, ack_timeout_s=0.3, max_attempts=30, test_reports=False) as sim:
        link = SerialLink(fake, PANEL, sim.path).start()
        try:
            assert link.connected.wait(5)
            d = sim.send("gas", unit="2-1-0101")
            assert d.wait(15) and d.status == "acked"  # not retransmitted forever
            assert fake.submitted == []  # never alerted, and not panel-2's heartbeat
            assert set(fake.quarantine.counts) == {"unknown_account"}
            assert 1 <= fake.quarantine.counts["unknown_account"] <= d.attempts
        finally:
            link.stop()


def test_a_zone_not_wired_to_a_flat_is_acked_quarantined_and_still_a_heartbeat(
        fake: FakeGateway) -> None:
    with SimPanel(PANEL, ack_timeout_s=0.3, max_attempts=30, test_reports=False) as sim:
        link = SerialLink(fake, PANEL, sim.path).start()
        try:
            assert link.connected.wait(5)
            d = sim.send("gas", zone=9)
            assert d.wait(15) and d.status == "acked"
            assert fake.signals() == []
            assert fake.submitted and fake.submitted[0].heard == ["panel-2"]
            assert fake.quarantine.counts["unknown_zone"] >= 1
        finally:
            link.stop()


def test_the_link_reopens_a_port_that_went_away(fake: FakeGateway, tmp_path: Path) -> None:
    port = tmp_path / "ttyPANEL2"  # a stable name, like /dev/serial/by-id/...
    link = SerialLink(fake, PANEL, str(port), reconnect_s=0.2).start()
    try:
        with SimPanel(PANEL, ack_timeout_s=0.3, max_attempts=30, test_reports=False,
                      link=port) as sim:
            first = sim.send("panic", unit="2-1-0102")
            assert first.wait(15) and first.status == "acked"
            last_seq = sim.seq
        poll("the link to notice the port is gone", lambda: not link.connected.is_set())
        with SimPanel(PANEL, ack_timeout_s=0.3, max_attempts=30, test_reports=False,
                      link=port, last_seq=last_seq) as sim:
            again = sim.send("panic", unit="2-1-0102", restore=True)
            assert again.wait(15) and again.status == "acked"
        kinds = [(s.kind, s.condition) for s in fake.signals()]
        assert kinds[0] == ("panic", "active") and kinds[-1] == ("panic", "restored")
    finally:
        link.stop()


def test_stop_is_clean_while_the_port_is_missing(fake: FakeGateway, tmp_path: Path) -> None:
    link = SerialLink(fake, PANEL, str(tmp_path / "nothing-here"), reconnect_s=0.2).start()
    started = time.monotonic()
    link.stop()
    assert time.monotonic() - started < 3
    assert not link.connected.is_set()


# --- end to end ----------------------------------------------------------------------------------


@dataclass
class Estate:
    api_url: str
    mqtt_port: int
    metrics_url: str
    gateway: Child
    sim: SimPanel
    token: str

    def alerts(self, **params: str) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.api_url}/api/alerts", params={"state": "all", **params},
                      headers={"Authorization": f"Bearer {self.token}"}, timeout=10)
        r.raise_for_status()
        return list(r.json()["data"])

    def wait_alert(self, what: str, check: Callable[[dict[str, Any]], bool],
                   **params: str) -> dict[str, Any]:
        return poll(what, lambda: next((a for a in self.alerts(**params) if check(a)), None))

    def metrics(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line in httpx.get(self.metrics_url, timeout=5).text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def quarantined(self, reason: str) -> float:
        return self.metrics().get(f'butler_gateway_quarantined_total{{reason="{reason}"}}', 0.0)

    def drained(self) -> None:
        poll("the gateway's outbox to drain",
             lambda: self.metrics()["butler_gateway_outbox_depth"] == 0)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    tmp = tmp_path_factory.mktemp("serial")
    mqtt_port, api_port, metrics_port = free_port(), free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    group = ProcessGroup(tmp / "log", env={
        "BUTLER_DB_URL": f"sqlite:///{tmp}/butler.db", "BUTLER_API_URL": api_url,
        "BUTLER_MQTT_URL": f"mqtt://127.0.0.1:{mqtt_port}"})
    # Quick retransmission, and enough attempts to cover the gateway's start-up.
    sim = SimPanel(PANEL, ack_timeout_s=0.5, max_attempts=60, test_reports=False)
    try:
        broker = group.start("broker", ["-m", "gateway.embedded_broker", "--port",
                                        str(mqtt_port)])
        group.wait_port("127.0.0.1", mqtt_port, broker)
        cr = group.start("controlroom", ["-m", "controlroom"])
        group.wait_http(f"{api_url}/api/health", cr, timeout=60)
        sim.start()
        gw = group.start("gateway", ["-m", "gateway", "--state-dir", str(tmp),
                                     "--metrics-port", str(metrics_port),
                                     "--panel", f"panel-2={sim.path}"])
        # The panel's test report is the handshake: acknowledged = the gateway reads the port.
        hello = sim.send_test_report()
        group.wait_for("the gateway to acknowledge the panel's test report",
                       lambda: hello.done, 60, gw)
        assert hello.status == "acked", tail(gw.log)
        r = httpx.post(f"{api_url}/api/auth/token",
                       data={"username": "operator", "password": "operator123"}, timeout=10)
        r.raise_for_status()
        yield Estate(api_url, mqtt_port, f"http://127.0.0.1:{metrics_port}/metrics", gw, sim,
                     r.json()["access_token"])
        group.stop("gateway")  # SIGTERM: serial links, then the gateway, stop cleanly
        log = gw.log.read_text(errors="replace")
        assert gw.proc.returncode == 0, tail(gw.log)
        assert "Traceback" not in log, log
    finally:
        group.stop_all()
        sim.stop()


def publish_mqtt_gas_alarm(port: int, device: str) -> None:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=device)
    c.connect("127.0.0.1", port)
    c.loop_start()
    try:
        payload = {"seq": 1, "boot": 1, "ts": int(time.time() * 1000), "type": "gas",
                   "state": "alarm", "lel": 27.5}
        info = c.publish(f"estate/v1/{SITE.id}/{device}/evt", json.dumps(payload), qos=1)
        info.wait_for_publish(10)
        assert info.is_published()
    finally:
        c.loop_stop()
        c.disconnect()


def test_gas_on_zone_001_is_the_same_alert_as_an_mqtt_gas_alarm_and_restores(
        estate: Estate) -> None:
    d = estate.sim.send("gas", unit="2-1-0101")
    assert d.wait(15) and d.status == "acked" and d.attempts == 1
    gas = estate.wait_alert("a gas_alarm for 2-1-0101", lambda a: a["state"] == "open",
                            unit="2-1-0101", kind="gas_alarm")
    assert (gas["kind"], gas["priority"], gas["condition"]) == ("gas_alarm", 1, "active")
    assert (gas["device"], gas["building"], gas["unit"]) == ("panel-2", "2", "2-1-0101")
    assert gas["detail"]["zone"] == "001"

    publish_mqtt_gas_alarm(estate.mqtt_port, "gas-1-1-0101")
    mqtt_gas = estate.wait_alert("the MQTT gas_alarm for 1-1-0101", lambda a: True,
                                 unit="1-1-0101", kind="gas_alarm")
    assert (mqtt_gas["kind"], mqtt_gas["priority"]) == (gas["kind"], gas["priority"])

    r = estate.sim.send("gas", unit="2-1-0101", restore=True)
    assert r.wait(15) and r.status == "acked"
    restored = estate.wait_alert("the gas_alarm for 2-1-0101 restored",
                                 lambda a: a["condition"] == "restored",
                                 unit="2-1-0101", kind="gas_alarm")
    assert restored["id"] == gas["id"]
    assert restored["state"] == "open"  # priority 1 latches: an operator resolves it
    assert len(estate.alerts(unit="2-1-0101")) == 1
    assert estate.sim.undelivered == []


def test_panic_on_zone_002_raises_and_restores(estate: Estate) -> None:
    d = estate.sim.send("panic", unit="2-1-0102")
    assert d.wait(15) and d.status == "acked"
    panic = estate.wait_alert("a panic for 2-1-0102", lambda a: a["condition"] == "active",
                              unit="2-1-0102", kind="panic")
    assert (panic["priority"], panic["state"], panic["device"]) == (1, "open", "panel-2")
    r = estate.sim.send("panic", unit="2-1-0102", restore=True)
    assert r.wait(15) and r.status == "acked"
    estate.wait_alert("the panic for 2-1-0102 restored", lambda a: a["condition"] == "restored",
                      unit="2-1-0102", kind="panic")
    assert len(estate.alerts(unit="2-1-0102")) == 1
    assert estate.sim.undelivered == []


@pytest.mark.parametrize(("how", "unit"), [("crc", "2-1-0103"), ("length", "2-1-0104")])
def test_a_damaged_frame_is_naked_and_its_retransmission_raises_exactly_one_alert(
        estate: Estate, how: str, unit: str) -> None:
    reason = f"bad_{how}"
    before = estate.quarantined(reason)
    d = estate.sim.send("gas", unit=unit, corrupt=how)  # type: ignore[arg-type]
    assert d.wait(15) and d.status == "acked"
    assert d.attempts == 2  # the damaged one, NAKed, then the good retransmission
    estate.wait_alert(f"a gas_alarm for {unit}", lambda a: True, unit=unit)
    estate.drained()
    [alert] = estate.alerts(unit=unit)
    assert (alert["kind"], alert["priority"], alert["occurrences"]) == ("gas_alarm", 1, 1)
    assert estate.quarantined(reason) == before + 1
    assert estate.gateway.proc.poll() is None  # raised nothing
    assert estate.sim.undelivered == []


def test_the_panel_saw_an_ack_for_every_frame(estate: Estate) -> None:
    d = estate.sim.send_test_report()
    assert d.wait(15) and d.status == "acked"
    assert estate.sim.undelivered == []
    assert estate.sim.frames_received >= 1
