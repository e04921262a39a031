"""Health and counters in Prometheus text format on an HTTP endpoint (`/metrics`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Metrics:
    received: int = 0
    signals: int = 0
    delivered: int = 0
    lag_s: float = 0.0


def render(m: Metrics, quarantined: dict[str, int], outbox_depth: int, outbox_age_s: float,
           offline: int, devices: int) -> str:
    lines = [
        "# HELP butler_gateway_messages_received_total MQTT messages taken in.",
        "# TYPE butler_gateway_messages_received_total counter",
        f"butler_gateway_messages_received_total {m.received}",
        "# HELP butler_gateway_quarantined_total Rejected input, by reason.",
        "# TYPE butler_gateway_quarantined_total counter",
    ]
    lines += [f'butler_gateway_quarantined_total{{reason="{r}"}} {n}'
              for r, n in sorted(quarantined.items())]
    lines += [
        "# HELP butler_gateway_signals_total Alert signals recorded (raised or restored).",
        "# TYPE butler_gateway_signals_total counter",
        f"butler_gateway_signals_total {m.signals}",
        "# HELP butler_gateway_delivered_total Alert signals the control room accepted.",
        "# TYPE butler_gateway_delivered_total counter",
        f"butler_gateway_delivered_total {m.delivered}",
        "# HELP butler_gateway_outbox_depth Signals waiting for the control room.",
        "# TYPE butler_gateway_outbox_depth gauge",
        f"butler_gateway_outbox_depth {outbox_depth}",
        "# HELP butler_gateway_outbox_oldest_seconds Age of the oldest waiting signal.",
        "# TYPE butler_gateway_outbox_oldest_seconds gauge",
        f"butler_gateway_outbox_oldest_seconds {outbox_age_s:.3f}",
        "# HELP butler_gateway_processing_lag_seconds Receive to record, last batch.",
        "# TYPE butler_gateway_processing_lag_seconds gauge",
        f"butler_gateway_processing_lag_seconds {m.lag_s:.3f}",
        "# HELP butler_gateway_devices_offline Supervised devices now offline.",
        "# TYPE butler_gateway_devices_offline gauge",
        f"butler_gateway_devices_offline {offline}",
        "# HELP butler_gateway_devices Supervised devices.",
        "# TYPE butler_gateway_devices gauge",
        f"butler_gateway_devices {devices}",
    ]
    return "\n".join(lines) + "\n"


def serve(port: int, text: Callable[[], str], healthy: Callable[[], bool]
          ) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                body, code, ctype = text().encode(), 200, "text/plain; version=0.0.4"
            elif self.path == "/health":
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

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, name="gateway-metrics", daemon=True).start()
    return server
