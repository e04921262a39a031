"""Every TCP port `make demo` listens on, where it comes from, and the variable that moves it.

Pure: the environment is passed in. The launcher checks each of these free before it starts
anything, so a taken port is one clear line and not a half-started demo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from config import Settings, Site
from config.settings import (
    API_URL,
    EMBEDDED_BROKER_PORT,
    GATEWAY_METRICS_PORT,
    MQTT_URL,
    SettingError,
)

# The embedded broker's port. BUTLER_MQTT_URL cannot move it: setting that URL means "use that
# broker", and then the demo starts no broker of its own.
BROKER_PORT_VAR = EMBEDDED_BROKER_PORT.name
METRICS_PORT_VAR = GATEWAY_METRICS_PORT.name
PortSettingError = SettingError  # a port variable that is not a port number


@dataclass(frozen=True)
class DemoPort:
    what: str  # "the control room"
    host: str
    port: int
    variable: str  # the environment variable that moves it

    def taken_message(self) -> str:
        how = (f"{self.variable}=http://{self.host}:PORT" if self.variable == API_URL.name
               else f"{self.variable}=PORT")
        return (f"error: port {self.port} on {self.host}, wanted for {self.what}, is already in "
                f"use; move it with {how}, or stop what holds it (`make stop` stops another "
                "demo)")


@dataclass(frozen=True)
class DemoPorts:
    api: DemoPort
    broker: DemoPort | None  # None: an external broker (BUTLER_MQTT_URL), not ours to check
    metrics: DemoPort | None  # None: port 0, the gateway takes any free one
    mqtt_url: str  # where the gateway and the simulator find the broker

    def listened(self) -> list[DemoPort]:
        return [p for p in (self.broker, self.api, self.metrics) if p is not None]


def demo_ports(site: Site, settings: Settings, env: Mapping[str, str]) -> DemoPorts:
    api = urlsplit(settings.api_url)
    api_port = DemoPort("the control room", api.hostname or "127.0.0.1", api.port or 8700,
                        API_URL.name)
    mqtt = urlsplit(settings.mqtt_url)
    broker: DemoPort | None = None
    mqtt_url = settings.mqtt_url
    if not MQTT_URL.read(env):
        host = mqtt.hostname or "127.0.0.1"
        port = EMBEDDED_BROKER_PORT.read(env) or mqtt.port or 1883
        broker = DemoPort("the embedded MQTT broker", host, port, BROKER_PORT_VAR)
        mqtt_url = f"mqtt://{host}:{port}"
    metrics_port = GATEWAY_METRICS_PORT.read(env)
    if metrics_port is None:
        metrics_port = site.gateway_metrics_port
    metrics = (DemoPort("the gateway's metrics", "127.0.0.1", metrics_port, METRICS_PORT_VAR)
               if metrics_port else None)
    return DemoPorts(api_port, broker, metrics, mqtt_url)
