"""Replica subscriptions and replica-independent supervision keys, as plain values."""

from __future__ import annotations

import pytest

from gateway.replicas import plan
from gateway.supervision import Supervisor


def test_a_lone_gateway_keeps_its_subscriptions_session_and_outbox() -> None:
    p = plan("s1")
    assert p.urgent == [("estate/v1/s1/+/evt", 1), ("estate/v1/s1/+/state", 1),
                        ("estate/v1/s1/+/ack", 1)]
    assert p.telemetry == [("estate/v1/s1/+/tel", 0)]
    assert (p.client_id, p.outbox_name, p.mqtt5) == ("gateway-s1", "gateway-s1.db", False)


def test_replicas_share_events_but_each_sees_every_sign_of_life() -> None:
    p = plan("s1", "a", "gw")
    assert p.urgent == [("$share/gw/estate/v1/s1/+/evt", 1), ("estate/v1/s1/+/ack", 1)]
    assert {t for t, _ in p.telemetry} == {
        "estate/v1/s1/+/tel", "estate/v1/s1/+/state", "estate/v1/s1/+/evt"}
    assert all(q == 0 for _, q in p.telemetry)
    assert (p.client_id, p.outbox_name, p.mqtt5) == ("gateway-s1-a", "gateway-s1-a.db", True)
    assert plan("s1", "b", "gw").outbox_name != p.outbox_name


@pytest.mark.parametrize("replica,group", [(None, "gw"), ("a", "g/w"), ("a", "#")])
def test_a_shared_group_needs_a_replica_id_and_a_plain_name(replica: str | None,
                                                           group: str) -> None:
    with pytest.raises(ValueError):
        plan("s1", replica, group)


def _sup(now: float = 0.0) -> Supervisor:
    return Supervisor({"a": 60.0}, now)


def test_two_replicas_that_heard_the_same_messages_name_a_drop_the_same() -> None:
    r1, r2 = _sup(0.0), _sup(0.4)
    for s, skew in ((r1, 0.0), (r2, 0.01)):
        s.heard("a", 10 + skew, "tel:3:7")
        s.heard("a", 20 + skew, "evt:3:8")
    [off1], [off2] = r1.tick(300.0), r2.tick(301.5)
    assert off1.mark == off2.mark == "evt:3:8.1"
    [on1], [on2] = r1.heard("a", 400.0), r2.heard("a", 400.2)  # its `online` state
    assert on1.mark == on2.mark == "evt:3:8.2"


def test_a_device_dropping_twice_without_a_word_is_two_drops() -> None:
    s = _sup()
    s.heard("a", 10, "tel:1:1")
    # Its last will, its `online` state, its last will again: no message in between.
    marks = [t.mark for t in s.last_will("a", 20) + s.heard("a", 21, said_online=True)
             + s.last_will("a", 22)]
    assert marks == ["tel:1:1.1", "tel:1:1.2", "tel:1:1.3"]
    assert [t.mark for t in s.heard("a", 30, "tel:1:2")] == ["tel:1:2.1"]


def test_an_older_copy_of_a_message_does_not_rename_the_latest() -> None:
    s = _sup()
    s.heard("a", 20, "evt:1:9")
    s.heard("a", 19.9, "tel:1:8")  # a heartbeat batch that arrived after the event
    assert s.marks["a"] == "evt:1:9"
