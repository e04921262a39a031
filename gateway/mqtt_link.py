"""The gateway's MQTT connection: the only module that imports paho.

Persistent session and manual acknowledgement (ARCHITECTURE §8): a QoS 1 event is
acknowledged to the broker only when the gateway calls `ack()`, after it is recorded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gateway.messages import Inbound

log = logging.getLogger("gateway.mqtt")

# A replica's MQTT v5 session outlives a crash by this much: the events the broker queued for
# it wait for its restart (mosquitto does not hand them to another member of the group).
SESSION_EXPIRY_S = 7 * 24 * 3600


@dataclass(frozen=True)
class LinkOptions:
    """How to reach the broker beyond its URL: the gateway's account (a password in the URL
    would show in `ps`), a CA file for mqtts://, and MQTT v5 (needed for `$share/...`)."""

    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    mqtt5: bool = False


class MqttLink:
    def __init__(self, url: str, client_id: str, subscriptions: list[tuple[str, int]],
                 on_message: Callable[[Inbound], None], username: str | None = None,
                 password: str | None = None, persistent: bool = True,
                 options: LinkOptions | None = None) -> None:
        u = urlsplit(url)
        if u.scheme not in ("mqtt", "tcp", "mqtts", "ssl"):
            raise ValueError(f"MQTT URL must start with mqtt:// or mqtts://, got {url!r}")
        opts = options or LinkOptions(username, password)
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or (8883 if u.scheme in ("mqtts", "ssl") else 1883)
        self.subscriptions = subscriptions
        self._on_message = on_message
        self.connected = threading.Event()
        self.refused: str | None = None  # the broker's reason, when it refused us
        self._persistent = persistent
        self._mqtt5 = opts.mqtt5
        # MQTT 3.1.1 with a persistent session works on every broker we support (amqtt,
        # mosquitto, NATS); v5 for replicas on a shared subscription. A link for QoS 0
        # telemetry needs neither the session nor manual acknowledgement.
        if opts.mqtt5:
            self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                                      protocol=mqtt.MQTTv5, manual_ack=persistent)
        else:
            self.client = mqtt.Client(
                CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not persistent,
                protocol=mqtt.MQTTv311, manual_ack=persistent,
            )
        user = unquote(u.username) if u.username else opts.username
        if user:
            self.client.username_pw_set(
                user, unquote(u.password) if u.password else opts.password)
        if u.scheme in ("mqtts", "ssl"):
            self.client.tls_set(ca_certs=opts.ca_file)
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.on_connect = self._connected
        self.client.on_disconnect = self._disconnected
        self.client.on_message = self._message

    def _connected(self, client: mqtt.Client, _ud: object, _flags: object,
                   reason: mqtt.ReasonCode, _props: object) -> None:
        if reason.is_failure:
            self.refused = str(reason)
            log.error("broker refused the connection: %s", reason)
            return
        self.refused = None
        log.info("connected to mqtt://%s:%s", self.host, self.port)
        client.subscribe(self.subscriptions)
        self.connected.set()

    def _disconnected(self, _c: mqtt.Client, _ud: object, _flags: object,
                      reason: mqtt.ReasonCode, _props: object) -> None:
        self.connected.clear()
        log.warning("disconnected from broker: %s", reason)

    def _message(self, _c: mqtt.Client, _ud: object, m: mqtt.MQTTMessage) -> None:
        self._on_message(Inbound(m.topic, bytes(m.payload), m.qos, bool(m.retain), m.mid,
                                 time.time()))

    def start(self) -> None:
        if self._mqtt5:
            props = None
            if self._persistent:
                props = Properties(PacketTypes.CONNECT)
                props.SessionExpiryInterval = SESSION_EXPIRY_S
            self.client.connect_async(self.host, self.port, keepalive=30,
                                      clean_start=not self._persistent, properties=props)
        else:
            self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> None:
        """Queue a publish (paho sends it, and retries QoS 1 after a reconnect)."""
        self.client.publish(topic, payload, qos=qos)

    def ack(self, msg: Inbound) -> None:
        if msg.qos > 0:
            self.client.ack(msg.mid, msg.qos)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
