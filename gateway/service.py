"""The running gateway: MQTT in, control room out, acknowledge after delivery."""

from __future__ import annotations

import logging
import queue
import threading
import time

from config import Site
from gateway.controlroom_client import ControlRoomClient, Rejected, Unreachable
from gateway.ingest import Ingestor
from gateway.messages import Inbound
from gateway.mqtt_link import MqttLink
from gateway.protocol import TOPIC_PREFIX
from gateway.quarantine import Quarantine
from gateway.quarantine import Rejected as QuarantineItem

log = logging.getLogger("gateway")

HEALTH_EVERY_S = 2.0  # changes (online, battery, gas level) reach the board this fast
LAST_SEEN_EVERY_S = 30.0  # last-seen refresh for quiet devices; offline needs 3 intervals
RETRY_MAX_S = 10.0


class Gateway:
    def __init__(self, site: Site, mqtt_url: str, controlroom: ControlRoomClient,
                 client_id: str | None = None) -> None:
        self.site = site
        self.quarantine = Quarantine()
        self.ingestor = Ingestor(site, self.quarantine)
        self.controlroom = controlroom
        self.inbox: queue.Queue[Inbound] = queue.Queue()
        self.stopping = threading.Event()
        self.delivered = 0
        base = f"{TOPIC_PREFIX}/{site.id}/+"
        self.link = MqttLink(
            mqtt_url, client_id or f"gateway-{site.id}",
            [(f"{base}/evt", 1), (f"{base}/tel", 0), (f"{base}/state", 1), (f"{base}/ack", 1)],
            self.inbox.put,
        )
        self._threads = [
            threading.Thread(target=self._work, name="gateway-worker", daemon=True),
            threading.Thread(target=self._report_health, name="gateway-health", daemon=True),
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()
        self.link.start()

    def stop(self) -> None:
        self.stopping.set()
        self.link.stop()
        for t in self._threads:
            t.join(timeout=5)
        self.controlroom.close()

    def _work(self) -> None:
        while not self.stopping.is_set():
            try:
                msg = self.inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            processed = self.ingestor.process(msg)
            for signal in processed.signals:
                if not self._deliver(signal.as_json(), msg):
                    return  # stopping: leave it unacknowledged; the broker redelivers it
            self.link.ack(msg)

    def _deliver(self, body: dict[str, object], msg: Inbound) -> bool:
        delay = 0.2
        while not self.stopping.is_set():
            try:
                self.controlroom.post_signal(body)
                self.delivered += 1
                log.info("alert signal %s %s %s delivered", body["device"], body["kind"],
                         body["condition"])
                return True
            except Rejected as exc:
                self.quarantine.add(QuarantineItem(
                    time.time(), msg.topic, "rejected_by_controlroom", str(exc), msg.payload))
                log.error("control room rejected %s: %s", body["key"], exc)
                return True
            except Unreachable as exc:
                log.warning("control room unreachable (%s); retrying in %.1fs", exc, delay)
                self.stopping.wait(delay)
                delay = min(delay * 2, RETRY_MAX_S)
        return False

    def _report_health(self) -> None:
        last_full = time.monotonic()
        while not self.stopping.wait(HEALTH_EVERY_S):
            full = time.monotonic() - last_full >= LAST_SEEN_EVERY_S
            # The ingestor's state is touched by the worker thread; reading a snapshot of a
            # set under the GIL is safe, and a missed change is sent on the next round.
            report = self.ingestor.take_health_report(with_last_seen=full)
            if full:
                last_full = time.monotonic()
            if not report:
                continue
            try:
                self.controlroom.post_device_states(report)
            except (Unreachable, Rejected) as exc:
                log.warning("device health not delivered (%s)", exc)
