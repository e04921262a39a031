"""The drainer (gateway/delivery.py) against a stand-in control room: what it took leaves the
outbox, what it refused for good is quarantined, and nothing else is lost when it stops
answering."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from gateway.controlroom_client import Rejected, Unreachable
from gateway.delivery import Delivery
from gateway.messages import SignalOut
from gateway.metrics import Metrics
from gateway.outbox import Outbox
from gateway.quarantine import Quarantine


def _sig(key: str, priority: int) -> SignalOut:
    return SignalOut(key, f"dev-{key}", "k", priority, "active", "2026-11-22T10:00:00+00:00")


class ControlRoom:
    """Answers a batch with `batch` (a status per signal, or Rejected: no batch call); one
    signal at a time it refuses the keys in `refuse` and is unreachable from call `down_at`
    on (until `down_at` is cleared)."""

    def __init__(self, batch: list[int] | None = None, refuse: frozenset[str] = frozenset(),
                 down_at: int | None = None) -> None:
        self.batch, self.refuse, self.down_at = batch, refuse, down_at
        self.taken: list[str] = []
        self.calls = 0

    def post_signals(self, signals: list[dict[str, object]]) -> list[dict[str, object]]:
        if self.batch is None:
            raise Rejected("404 no batch call here")
        self.taken += [str(s["key"]) for s, st in zip(signals, self.batch, strict=False)
                       if st == 200]
        return [{"status": st, "detail": "bad kind"} for st in self.batch]

    def post_signal(self, signal: dict[str, object]) -> dict[str, object]:
        self.calls += 1
        if self.down_at is not None and self.calls >= self.down_at:
            raise Unreachable("connection refused")
        if signal["key"] in self.refuse:
            raise Rejected("422 bad kind")
        self.taken.append(str(signal["key"]))
        return {}


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    box = Outbox(tmp_path / "o.db")
    box.put([_sig("battery", 4), _sig("gas", 1), _sig("tamper", 3)])
    return box


def _delivery(outbox: Outbox, room: ControlRoom) -> tuple[Delivery, Quarantine, Metrics]:
    quarantine, metrics = Quarantine(), Metrics()
    return Delivery(outbox, room, metrics, quarantine, threading.Event()), quarantine, metrics


def test_a_batch_is_taken_whole_and_a_signal_it_refused_is_quarantined(outbox: Outbox) -> None:
    room = ControlRoom(batch=[200, 422, 200])
    delivery, quarantine, metrics = _delivery(outbox, room)
    batch = outbox.next_batch(10)
    assert delivery.deliver(batch) == [q.id for q in batch]
    assert room.taken == ["gas", "battery"]  # most urgent first; tamper refused
    assert metrics.delivered == 2
    assert [(r.source, r.reason) for r in quarantine.items()] == [
        ("dev-tamper", "rejected_by_controlroom")]


def test_without_the_batch_call_each_signal_goes_alone_most_urgent_first(
        outbox: Outbox) -> None:
    room = ControlRoom(batch=None, refuse=frozenset({"battery"}))
    delivery, quarantine, metrics = _delivery(outbox, room)
    batch = outbox.next_batch(10)
    assert delivery.deliver(batch) == [q.id for q in batch]
    assert room.taken == ["gas", "tamper"] and metrics.delivered == 2
    assert [r.source for r in quarantine.items()] == ["dev-battery"]


def test_a_control_room_gone_midway_keeps_what_it_did_not_take(outbox: Outbox) -> None:
    room = ControlRoom(batch=None, down_at=2)
    delivery, quarantine, _ = _delivery(outbox, room)
    with pytest.raises(Unreachable):
        delivery.deliver(outbox.next_batch(10))
    assert room.taken == ["gas"]
    assert [q.body["key"] for q in outbox.next_batch(10)] == ["tamper", "battery"]
    assert quarantine.items() == []


def test_the_drainer_retries_until_the_control_room_is_back_and_empties_the_outbox(
        outbox: Outbox) -> None:
    room = ControlRoom(batch=None, down_at=1)
    delivery, _, _ = _delivery(outbox, room)
    drainer = threading.Thread(target=delivery.drain, daemon=True)
    drainer.start()
    try:
        deadline = time.monotonic() + 10
        while room.calls < 2 and time.monotonic() < deadline:  # it has failed and retried
            time.sleep(0.01)
        assert room.calls >= 2 and outbox.depth() == 3
        room.down_at = None
        while outbox.depth() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert outbox.depth() == 0
        assert room.taken == ["gas", "tamper", "battery"]
    finally:
        delivery.stopping.set()
        drainer.join(timeout=5)
    assert not drainer.is_alive()
