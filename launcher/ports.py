"""Every TCP port `make demo` listens on, where it comes from, and the variable that moves it.

Pure: the environment is passed in. The launcher checks each of these free before it starts
anything, so a taken port is one clear line and not a half-started demo."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from config import Settings, Site

# The embedded broker's port. BUTLER_MQTT_URL cannot move it: setting that URL means "use that
# broker", and then the demo starts no broker of its own.
BROKER_PORT_VAR = "BUTLER_EMBEDDED_BROKER_PORT"
METRICS_PORT_VAR = "BUTLER_GATEWAY_METRICS_PORT"


class PortSettingError(ValueError):
    pass


@dataclass(frozen=True)
class DemoPort:
    what: str  # "the control room"
    host: str
    port: int
    variable: str  # the environment variable that moves it

    def taken_message(self) -> str:
        how = (f"{self.variable}=http://{self.host}:PORT" if self.variable == "BUTLER_API_URL"
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


def env_port(env: dict[str, str], name: str) -> int | None:
    """A port number from the environment: None when unset or empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 <= int(raw) < 65536:
        raise PortSettingError(f"error: {name}={raw!r} is not a port number (0-65535)")
    return int(raw)


def demo_ports(site: Site, settings: Settings, env: dict[str, str]) -> DemoPorts:
    api = urlsplit(settings.api_url)
    api_port = DemoPort("the control room", api.hostname or "127.0.0.1", api.port or 8700,
                        "BUTLER_API_URL")
    mqtt = urlsplit(settings.mqtt_url)
    broker: DemoPort | None = None
    mqtt_url = settings.mqtt_url
    if not env.get("BUTLER_MQTT_URL"):
        host = mqtt.hostname or "127.0.0.1"
        port = env_port(env, BROKER_PORT_VAR) or mqtt.port or 1883
        broker = DemoPort("the embedded MQTT broker", host, port, BROKER_PORT_VAR)
        mqtt_url = f"mqtt://{host}:{port}"
    metrics_port = env_port(env, METRICS_PORT_VAR)
    if metrics_port is None:
        metrics_port = site.gateway_metrics_port
    metrics = (DemoPort("the gateway's metrics", "127.0.0.1", metrics_port, METRICS_PORT_VAR)
               if metrics_port else None)
    return DemoPorts(api_port, broker, metrics, mqtt_url)
