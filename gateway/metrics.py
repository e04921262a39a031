"""The gateway's health and counters over HTTP: `/metrics` (Prometheus exposition, rendered by
prometheus_client from the gateway's live state at each scrape), `/healthz` (the process
answers), `/readyz` and `/health` (the broker and the telemetry source are connected: 503 until
they are). The address is configurable (`--metrics-address`, BUTLER_GATEWAY_METRICS_ADDRESS) so a
Prometheus on another host can scrape it; the default stays loopback."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Metrics:
    received: int = 0
    signals: int = 0
    delivered: int = 0
    lag_s: float = 0.0


@dataclass
class Snapshot:
    """What a scrape reports, read from the gateway at that moment."""

    metrics: Metrics
    quarantined: dict[str, int] = field(default_factory=dict)
    outbox_depth: int = 0
    outbox_age_s: float = 0.0
    offline: int = 0
    devices: int = 0


def families(s: Snapshot) -> list[Metric]:
    """The gateway's metric families (names and meanings unchanged since the text renderer)."""
    def counter(name: str, doc: str, value: float) -> CounterMetricFamily:
        return CounterMetricFamily(name, doc, value=value)

    def gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, doc, value=value)

    quarantined = CounterMetricFamily("butler_gateway_quarantined",
                                      "Rejected input, by reason.", labels=["reason"])
    for reason, n in sorted(s.quarantined.items()):
        quarantined.add_metric([reason], n)
    return [
        counter("butler_gateway_messages_received", "MQTT messages taken in.",
                s.metrics.received),
        quarantined,
        counter("butler_gateway_signals", "Alert signals recorded (raised or restored).",
                s.metrics.signals),
        counter("butler_gateway_delivered", "Alert signals the control room accepted.",
                s.metrics.delivered),
        gauge("butler_gateway_outbox_depth", "Signals waiting for the control room.",
              s.outbox_depth),
        gauge("butler_gateway_outbox_oldest_seconds", "Age of the oldest waiting signal.",
              s.outbox_age_s),
        gauge("butler_gateway_processing_lag_seconds", "Receive to record, last batch.",
              s.metrics.lag_s),
        gauge("butler_gateway_devices_offline", "Supervised devices now offline.", s.offline),
        gauge("butler_gateway_devices", "Supervised devices.", s.devices),
    ]


class _Live(Collector):
    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterable[Metric]:
        return families(self.snapshot())


def registry_for(snapshot: Callable[[], Snapshot]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Live(snapshot))
    return registry


def serve(address: str, port: int, snapshot: Callable[[], Snapshot],
          healthy: Callable[[], bool]) -> ThreadingHTTPServer:
    registry = registry_for(snapshot)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                body, code, ctype = generate_latest(registry), 200, CONTENT_TYPE
            elif path == "/healthz":
                body, code, ctype = b"ok\n", 200, "text/plain"
            elif path in ("/health", "/readyz"):
                ok = healthy()
                body = b"ok\n" if ok else b"broker not connected\n"
                code, ctype = (200 if ok else 503), "text/plain"
            else:
                body, code, ctype = b"not found\n", 404, "text/plain"
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:  # scrapes every few seconds: keep quiet
            return

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, name="gateway-metrics", daemon=True).start()
    return server

