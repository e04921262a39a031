"""The NATS link's pure parts: subjects, the shared consumer, telemetry batches, and which
replica raises a supervision transition. No server needed."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from gateway.nats_link import (
    MQTT_STREAM,
    NatsTelemetry,
    consumer_config,
    event_filter,
    subject_of,
    topic_of,
)
from gateway.service import UNCLAIMED_KEEP_S, Gateway
from gateway.supervision import Transition


def test_topics_and_subjects_map_as_nats_server_maps_them() -> None:
    assert subject_of("estate/v1/s1/gas-1-1-0101/cmd") == "estate.v1.s1.gas-1-1-0101.cmd"
    assert topic_of("estate.v1.s1.gas-1-1-0101.tel") == "estate/v1/s1/gas-1-1-0101/tel"
    # An event as stored by the MQTT layer reads as the device's own topic.
    assert topic_of("$MQTT.msgs.estate.v1.s1.btn-1.evt") == "estate/v1/s1/btn-1/evt"


def test_every_replica_shares_one_durable_consumer_of_the_sites_events() -> None:
    cfg = consumer_config("s1")
    assert MQTT_STREAM == "$MQTT_msgs"
    assert cfg.durable_name == "gateway-s1"
    assert cfg.filter_subject == event_filter("s1") == "$MQTT.msgs.estate.v1.s1.*.evt"
    assert cfg.ack_policy is not None and cfg.ack_policy.value == "explicit"
    assert cfg.max_deliver == -1  # an alarm is never given up on


def test_telemetry_batches_keep_each_devices_latest_heartbeat_and_the_rejects() -> None:
    tel = NatsTelemetry("s1", frozenset({"gas-1"}))
    tel.take("estate.v1.s1.gas-1.tel", b'{"seq":1,"boot":1,"ts":1,"batt":90}', 10.0)
    tel.take("estate.v1.s1.gas-1.tel", b'{"seq":2,"boot":1,"ts":2,"batt":89}', 11.0)
    tel.take("estate.v1.s1.ghost.tel", b'{"seq":1,"boot":1,"ts":1}', 12.0)
    tel.take("estate.v1.s1.gas-1.tel", b"not json", 13.0)
    tel.flush(connected=True)
    batch = next(tel.batches(threading.Event()))
    assert batch.received == 4
    assert batch.seen == {"gas-1": (11.0, 89, None)}
    assert [r[2] for r in batch.rejected] == ["unknown_device", "bad_json"]
    assert tel.connected.is_set()


def _replica(supervising: bool) -> SimpleNamespace:
    return SimpleNamespace(supervising=lambda: supervising, _unclaimed=[])


def test_a_replica_that_does_not_supervise_raises_nothing_but_remembers() -> None:
    r = _replica(False)
    t = Transition("gas-1", True, 100.0, "silent")
    assert Gateway._claim(r, [t], 100.0) == []  # type: ignore[arg-type]
    assert r._unclaimed == [t]


def test_the_replica_that_takes_over_raises_what_the_old_supervisor_may_have_missed() -> None:
    old = Transition("gas-1", True, 100.0, "silent")
    recent = Transition("gas-2", True, 120.0, "last_will")
    now = 100.0 + UNCLAIMED_KEEP_S + 1  # by then `old` is too old to matter
    r = _replica(False)
    Gateway._claim(r, [old, recent], 120.0)  # type: ignore[arg-type]
    Gateway._claim(r, [], now)  # type: ignore[arg-type]  # not supervising yet: prunes
    assert r._unclaimed == [recent]
    r.supervising = lambda: True
    fresh = Transition("gas-3", False, now, "heard")
    assert Gateway._claim(r, [fresh], now) == [recent, fresh]  # type: ignore[arg-type]
    assert r._unclaimed == []
