"""Each simulator command, driven as a person would against a real mosquitto, and the exact
messages a raw subscriber sees on the wire — every one valid against docs/protocol/."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from launcher.processes import ROOT, ProcessGroup, free_port
from tests.support.sites import small_site_text, write_site
from tests.support.stack import MOSQUITTO, start_mosquitto

pytestmark = [pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]

SCHEMAS = {name: json.loads((ROOT / "docs" / "protocol" / f"{name}.schema.json").read_text())
           for name in ("evt", "tel", "cmd", "ack", "state")}
SITE = "testsite"
GAS, BTN, GAS2 = "gas-1-1-0101", "btn-1-1-0101", "gas-1-1-0102"
WAIT_S = 60.0  # a broker round trip or a simulator start on a loaded machine; ends at the message


@dataclass(frozen=True)
class Seen:
    topic: str
    payload: bytes
    retain: bool
    qos: int

    @property
    def device(self) -> str:
        return self.topic.split("/")[3]

    @property
    def channel(self) -> str:
        return self.topic.split("/")[4]

    def json(self) -> dict[str, object]:
        return json.loads(self.payload)


class Wire:
    """A raw subscriber on everything under the site; validates each message it sees."""

    def __init__(self, port: int) -> None:
        self.q: queue.Queue[Seen] = queue.Queue()
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"wire-{uuid.uuid4().hex[:6]}")
        self.c.on_message = lambda _c, _u, m: self.q.put(
            Seen(m.topic, bytes(m.payload), bool(m.retain), m.qos))
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        r, _ = self.c.subscribe(f"estate/v1/{SITE}/#", qos=1)
        assert r == mqtt.MQTT_ERR_SUCCESS

    def next(self, channel: str | None = None, device: str | None = None,
             timeout: float = WAIT_S) -> Seen:
        """The next message on that channel/device, skipping heartbeats (tel) and our own
        commands (cmd) unless asked for."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"nothing on {device}/{channel} within {timeout}s")
            try:
                m = self.q.get(timeout=left)
            except queue.Empty:
                raise AssertionError(f"nothing on {device}/{channel} within {timeout}s") from None
            validate(m)
            if m.channel in ("tel", "cmd") and channel != m.channel:
                continue
            if (channel is None or m.channel == channel) and (device is None
                                                              or m.device == device):
                return m
            raise AssertionError(f"unexpected {m.topic} {m.payload!r} "
                                 f"while waiting for {device}/{channel}")

    def drain(self) -> None:
        while not self.q.empty():
            validate(self.q.get_nowait())

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


def validate(m: Seen) -> None:
    if m.channel == "state":
        jsonschema.validate(m.payload.decode(), SCHEMAS["state"])
    elif m.channel in SCHEMAS:
        assert len(m.payload) <= 1024
        jsonschema.validate(json.loads(m.payload), SCHEMAS[m.channel])


@dataclass
class Rig:
    tmp: Path
    site: Path
    port: int
    wire: Wire

    def sim(self, *args: str) -> str:
        r = subprocess.run(
            [sys.executable, "-m", "firmware_sim", "--config", str(self.site),
             "--mqtt-url", f"mqtt://127.0.0.1:{self.port}", "--control", str(self.tmp / "s.sock"),
             "--state-file", str(self.tmp / "state.json"), *args],
            cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def command(self, device: str, cmd: str) -> str:
        cid = f"c-{uuid.uuid4().hex[:6]}"
        body = {"id": cid, "cmd": cmd, "ts": int(time.time() * 1000)}
        jsonschema.validate(body, SCHEMAS["cmd"])
        info = self.wire.c.publish(f"estate/v1/{SITE}/{device}/cmd", json.dumps(body), qos=1)
        info.wait_for_publish(WAIT_S)
        return cid


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("wire")
    site = write_site(tmp, small_site_text(SITE))
    port = free_port()
    group = ProcessGroup(tmp / "log")
    try:
        start_mosquitto(group, tmp, port)
        wire = Wire(port)
        sim = group.start("sim", ["-m", "firmware_sim", "--config", str(site), "--mqtt-url",
                                  f"mqtt://127.0.0.1:{port}", "--control", str(tmp / "s.sock"),
                                  "--state-file", str(tmp / "state.json"), "run",
                                  "--interval", "3600"])
        rig = Rig(tmp, site, port, wire)
        # Every device announces itself online (retained) once connected.
        online = {wire.next("state").device for _ in range(4)}
        assert online == {GAS, BTN, GAS2, "btn-1-1-0102"}
        group.wait_for("control socket", (tmp / "s.sock").exists, WAIT_S, sim)
        yield rig
        wire.close()
    finally:
        group.stop_all()


def _evt(m: Seen) -> tuple[str, str, dict[str, object]]:
    body = m.json()
    extra = {k: v for k, v in body.items() if k not in ("seq", "boot", "ts", "type", "state")}
    return str(body["type"]), str(body["state"]), extra


def test_gas_level_raises_alarm_and_back_to_normal(rig: Rig) -> None:
    out = rig.sim("gas", "--unit", "1-1-0101", "--lel", "30")
    m = rig.wire.next("evt", GAS)
    assert (m.qos, m.retain) == (1, False)
    assert _evt(m) == ("gas", "alarm", {"lel": 30.0})
    body = m.json()
    assert f"gas/alarm (boot {body['boot']}, seq {body['seq']})" in out
    assert abs(int(body["ts"]) - time.time() * 1000) < 60_000  # type: ignore[call-overload]
    rig.sim("gas", "--unit", "1-1-0101", "--state", "normal")
    n = rig.wire.next("evt", GAS)
    assert _evt(n) == ("gas", "normal", {"lel": 0.8})
    assert n.json()["seq"] == body["seq"] + 1  # type: ignore[operator]


def test_a_repeated_press_is_one_event_and_reset_clears_it(rig: Rig) -> None:
    rig.sim("press", "--unit", "1-1-0101")
    assert _evt(rig.wire.next("evt", BTN)) == ("panic", "pressed", {})
    assert "no change" in rig.sim("press", "--unit", "1-1-0101")
    rig.sim("reset", "--unit", "1-1-0101")
    # The next thing on the wire is the reset: the second press sent nothing.
    assert _evt(rig.wire.next("evt", BTN)) == ("panic", "reset", {})


@pytest.mark.parametrize(("args", "expect"), [
    (["tamper"], [("tamper", "open", {})]),
    (["tamper", "--close"], [("tamper", "closed", {})]),
    (["battery"], [("battery", "low", {"pct": 15})]),
    (["battery", "--replace"], [("battery", "ok", {"pct": 100})]),
    (["mains"], [("power", "lost", {})]),
    (["mains", "--restore"], [("power", "restored", {})]),
    (["fault", "--code", "valve"], [("fault", "active", {"code": "valve"})]),
    (["fault", "--clear"], [("fault", "cleared", {"code": "valve"})]),
])
def test_conditions_on_a_detector(rig: Rig, args: list[str], expect: list[object]) -> None:
    rig.sim(args[0], "--unit", "1-1-0102", *args[1:])
    assert [_evt(rig.wire.next("evt", GAS2)) for _ in expect] == expect


def test_the_valve_obeys_commands_and_a_stuck_valve_says_so(rig: Rig) -> None:
    cid = rig.command(GAS, "valve_close")
    assert _evt(rig.wire.next("evt", GAS)) == ("valve", "closed", {})
    ack = rig.wire.next("ack", GAS).json()
    assert (ack["id"], ack["ok"]) == (cid, True)
    rig.sim("valve", "--unit", "1-1-0101")
    cid = rig.command(GAS, "valve_open")
    assert _evt(rig.wire.next("evt", GAS)) == ("valve", "stuck", {})
    ack = rig.wire.next("ack", GAS).json()
    assert (ack["id"], ack["ok"], ack["error"]) == (cid, False, "valve stuck")
    rig.sim("valve", "--unit", "1-1-0101", "--free")
    rig.command(GAS, "valve_open")
    assert _evt(rig.wire.next("evt", GAS)) == ("valve", "open", {})
    rig.wire.next("ack", GAS)


def test_events_raised_while_off_the_network_arrive_after_reconnect_none_twice(rig: Rig
                                                                               ) -> None:
    rig.sim("offline", "--unit", "1-1-0101", "--kind", "btn")
    will = rig.wire.next("state", BTN)
    assert will.payload == b"offline"
    rig.sim("press", "--unit", "1-1-0101")
    rig.sim("tamper", "--unit", "1-1-0101", "--kind", "btn")
    rig.sim("online", "--unit", "1-1-0101", "--kind", "btn")
    assert rig.wire.next("state", BTN).payload == b"online"
    first, second = rig.wire.next("evt", BTN), rig.wire.next("evt", BTN)
    assert [_evt(first)[:2], _evt(second)[:2]] == [("panic", "pressed"), ("tamper", "open")]
    assert second.json()["seq"] == first.json()["seq"] + 1  # type: ignore[operator]
    rig.sim("reset", "--unit", "1-1-0101")
    assert _evt(rig.wire.next("evt", BTN))[:2] == ("panic", "reset")  # nothing twice


def test_a_reboot_increments_the_boot_counter_and_restarts_the_sequence(rig: Rig) -> None:
    rig.sim("gas", "--unit", "1-1-0102", "--lel", "12")
    before = rig.wire.next("evt", GAS2).json()
    out = rig.sim("reboot", "--unit", "1-1-0102")
    assert f"now boot {int(before['boot']) + 1}" in out  # type: ignore[call-overload]
    assert rig.wire.next("state", GAS2).payload == b"offline"  # the last will
    assert rig.wire.next("state", GAS2).payload == b"online"
    rig.sim("gas", "--unit", "1-1-0102", "--lel", "30")
    after = rig.wire.next("evt", GAS2).json()
    assert (after["boot"], after["seq"]) == (int(before["boot"]) + 1, 1)  # type: ignore[call-overload]
    rig.sim("gas", "--unit", "1-1-0102", "--lel", "0")
    rig.wire.next("evt", GAS2)


def test_raw_events_and_spoofing_another_devices_topic(rig: Rig) -> None:
    rig.sim("event", "--device", GAS, "--type", "fault", "--state", "active",
            "--field", "code=sensor")
    assert _evt(rig.wire.next("evt", GAS)) == ("fault", "active", {"code": "sensor"})
    rig.sim("event", "--device", GAS, "--type", "panic", "--state", "pressed",
            "--as-device", BTN)
    spoofed = rig.wire.next("evt", BTN)  # arrives under the button's topic
    assert _evt(spoofed) == ("panic", "pressed", {})


def test_injected_duplicate_reorder_skew_and_malformed(rig: Rig) -> None:
    rig.sim("inject", "--device", GAS2, "duplicate")
    rig.sim("tamper", "--unit", "1-1-0102")
    a, b = rig.wire.next("evt", GAS2), rig.wire.next("evt", GAS2)
    assert a.payload == b.payload  # the same event, twice

    rig.sim("inject", "--device", GAS2, "reorder")
    rig.sim("tamper", "--unit", "1-1-0102", "--close")
    rig.sim("mains", "--unit", "1-1-0102")
    x, y = rig.wire.next("evt", GAS2).json(), rig.wire.next("evt", GAS2).json()
    assert (x["type"], y["type"]) == ("power", "tamper")
    assert y["seq"] == x["seq"] - 1  # type: ignore[operator]

    rig.sim("inject", "--device", GAS2, "skew", "--value", "3600000")
    rig.sim("mains", "--unit", "1-1-0102", "--restore")
    skewed = rig.wire.next("evt", GAS2).json()
    assert int(skewed["ts"]) - time.time() * 1000 > 3_500_000  # type: ignore[call-overload]
    rig.sim("inject", "--device", GAS2, "skew", "--value", "0")

    out = rig.sim("inject", "--device", GAS2, "malformed", "--value", "bad_json")
    assert "bad_json" in out
    raw = rig.wire.q.get(timeout=WAIT_S)
    assert (raw.topic, raw.payload) == (f"estate/v1/{SITE}/{GAS2}/evt", b'{"seq": 1, "boot": 1,')


def test_list_shows_every_device_and_whether_it_is_online(rig: Rig) -> None:
    rows = [line.split() for line in rig.sim("list").splitlines()]
    assert {(r[0], r[-1]) for r in rows} == {(GAS, "online"), (BTN, "online"),
                                             (GAS2, "online"), ("btn-1-1-0102", "online")}


def test_a_scenario_file_plays_its_steps_in_time_order(rig: Rig) -> None:
    path = rig.tmp / "walk.toml"
    path.write_text('name = "walk"\n[[steps]]\nat = 0\ndo = "walk"\nevery = 2\n'
                    'select = { building = "1", kind = "btn" }\n')
    out = rig.sim("scenario", str(path), "--speed", "10")
    assert "done: 4 of 4 actions sent" in out
    seen = [(m.device, _evt(m)[:2]) for m in (rig.wire.next("evt") for _ in range(4))]
    assert seen == [(BTN, ("panic", "pressed")), (BTN, ("panic", "reset")),
                    ("btn-1-1-0102", ("panic", "pressed")), ("btn-1-1-0102", ("panic", "reset"))]
