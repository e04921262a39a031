"""What the PostgreSQL fan-out decides without a database: which statements make a writer
take the stream lock, and NOTIFY payloads under PostgreSQL's limit."""

from __future__ import annotations

import json

import pytest

from controlroom.alarms import fanout


def test_notify_payloads_stay_under_the_limit_and_round_trip() -> None:
    small = fanout.encode(7, 3, '{"id":3}')
    assert fanout.decode(small) == (7, None, '{"id":3}')
    big = fanout.encode(8, 4, json.dumps({"id": 4, "detail": {"units": ["x" * 50] * 400}}))
    assert len(big.encode()) <= fanout.MAX_PAYLOAD
    assert fanout.decode(big) == (8, 4, None)


@pytest.mark.parametrize(("statement", "locks"), [
    ("INSERT INTO alerts (kind) VALUES (%s)", True),
    ("  UPDATE alerts SET escalation=%s WHERE id=%s", True),
    ("DELETE FROM plan_ticks WHERE id=%s", True),
    ("SELECT alerts.id FROM alerts WHERE alerts.id = %s FOR UPDATE", True),
    ("SELECT * FROM test_windows FOR UPDATE SKIP LOCKED", True),
    ("SELECT alerts.id FROM alerts WHERE state = %s", False),
    ("UPDATE devices SET online=%(online)s WHERE devices.id = %(_id)s", False),
    ("SELECT pg_notify(%s, %s)", False),
])
def test_writers_take_the_stream_lock_and_readers_and_device_health_do_not(
        statement: str, locks: bool) -> None:
    assert fanout.takes_stream_lock(statement) is locks
