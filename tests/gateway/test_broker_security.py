"""Acceptance (issue 8): with the generated password and ACL files, mosquitto refuses a
device's publish under another device's topic and refuses anonymous clients; in TLS mode the
devices and the gateway connect with the test's CA and plain connections get nowhere."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from config.credentials import device_password
from firmware_sim.wire import MqttClient, MqttError
from tests.support.secure_broker import SECRET, SecureStack
from tests.support.sites import small_site_text, write_site
from tests.support.stack import MOSQUITTO
from tests.utils import wait_until

pytestmark = [pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]

SITE = "lockedsite"
SPEAKER, VICTIM = "gas-1-1-0101", "gas-1-1-0102"


def _stack(tmp: Path, tls: bool) -> SecureStack:
    site = write_site(tmp, small_site_text(SITE, floors=1, flats=2))
    s = SecureStack(tmp, "mosquitto", site, tls=tls)
    s.start_all()
    s.wait_sim_online(60)  # every device logged in with its own account
    return s


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[SecureStack]:
    s = _stack(tmp_path, tls=False)
    try:
        yield s
    finally:
        s.group.stop_all()


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[SecureStack]:
    s = _stack(tmp_path, tls=True)
    try:
        yield s
    finally:
        s.group.stop_all()


def _gas_alarms(stack: SecureStack, token: str, device: str) -> list[dict[str, object]]:
    return [a for a in stack.alerts(token, kind="gas_alarm") if a["device"] == device]


def _connect(port: int, user: str | None, password: str | None,
             tls: ssl.SSLContext | None = None) -> None:
    """Connect and leave as a device would (MQTT 3.1.1); MqttError/OSError if refused."""
    async def go() -> None:
        c = MqttClient("127.0.0.1", port, f"probe-{user}", username=user, password=password,
                       tls=tls)
        await c.connect(timeout=5)
        await c.disconnect()
    asyncio.run(go())


def _v5_publish_reason(port: int, user: str, password: str, topic: str) -> int:
    """Publish at QoS 1 over MQTT v5 and return the PUBACK's reason code."""
    got: dict[str, int] = {}
    done = threading.Event()
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"v5-{user}",
                    protocol=mqtt.MQTTv5)
    c.username_pw_set(user, password)

    def on_publish(_c: object, _u: object, _mid: int, reason: mqtt.ReasonCode,
                   _p: object) -> None:
        got["rc"] = reason.value
        done.set()

    c.on_publish = on_publish
    c.connect("127.0.0.1", port)
    c.loop_start()
    try:
        c.publish(topic, b'{"seq":1,"boot":1,"ts":1,"type":"gas","state":"alarm","lel":30}',
                  qos=1)
        assert done.wait(10), "no PUBACK"
    finally:
        c.disconnect()
        c.loop_stop()
    return got["rc"]


def test_a_device_cannot_raise_an_alarm_for_another_device(locked: SecureStack) -> None:
    op = locked.token("operator", "operator123")
    # The speaker's own connection publishes a gas alarm under its neighbour's topic ...
    locked.sim("event", "--device", SPEAKER, "--type", "gas", "--state", "alarm",
               "--field", "lel=30", "--as-device", VICTIM)
    # ... then a real alarm of its own, which arrives after the spoof would have.
    locked.sim("gas", "--device", SPEAKER)
    wait_until("the speaker's own gas alarm", lambda: _gas_alarms(locked, op, SPEAKER), 30)
    assert _gas_alarms(locked, op, VICTIM) == []  # nobody is sent to the neighbour's flat

    # On MQTT v5 the device is told why: 0x87 "not authorized".
    pw = device_password(SECRET, SITE, SPEAKER)
    victim_evt = f"estate/v1/{SITE}/{VICTIM}/evt"
    assert _v5_publish_reason(locked.mqtt_port, SPEAKER, pw, victim_evt) == 0x87
    own_evt = f"estate/v1/{SITE}/{SPEAKER}/tel"
    assert _v5_publish_reason(locked.mqtt_port, SPEAKER, pw, own_evt) == 0


def test_anonymous_and_wrong_password_clients_are_refused(locked: SecureStack) -> None:
    with pytest.raises(MqttError, match="not authorized"):
        _connect(locked.mqtt_port, None, None)
    with pytest.raises(MqttError, match=r"not authorized|bad user name"):
        _connect(locked.mqtt_port, SPEAKER, "guessed-password")
    with pytest.raises(MqttError, match=r"not authorized|bad user name"):  # another site's
        _connect(locked.mqtt_port, SPEAKER, device_password(SECRET, "othersite", SPEAKER))
    _connect(locked.mqtt_port, SPEAKER, device_password(SECRET, SITE, SPEAKER))


def test_tls_devices_and_gateway_connect_with_the_ca_and_plain_gets_nowhere(
        tls: SecureStack) -> None:
    # The fixture waited for every device online and the gateway healthy, over TLS only.
    op = tls.token("operator", "operator123")
    tls.sim("gas", "--device", SPEAKER)
    wait_until("a gas alarm over TLS", lambda: _gas_alarms(tls, op, SPEAKER), 30)

    pw = device_password(SECRET, SITE, SPEAKER)
    assert tls.ca is not None
    with_ca = ssl.create_default_context(cafile=str(tls.ca.cafile))
    _connect(tls.mqtt_port, SPEAKER, pw, with_ca)
    with pytest.raises((MqttError, OSError, asyncio.TimeoutError)):  # plain MQTT
        _connect(tls.mqtt_port, SPEAKER, pw)
    with pytest.raises(ssl.SSLCertVerificationError):  # a broker nobody vouched for
        _connect(tls.mqtt_port, SPEAKER, pw, ssl.create_default_context())
