from pathlib import Path

from gateway.messages import SignalOut
from gateway.outbox import Outbox


def _sig(key: str, priority: int) -> SignalOut:
    return SignalOut(key, "d", "k", priority, "active", "2026-11-22T10:00:00+00:00")


def test_batches_come_highest_priority_first_then_in_arrival_order(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    box.put([_sig("bat", 4), _sig("gas1", 1), _sig("tamper", 3)])
    box.put([_sig("gas2", 1)])
    assert [q.body["key"] for q in box.next_batch()] == ["gas1", "gas2", "tamper", "bat"]
    assert [q.body["key"] for q in box.next_batch(2)] == ["gas1", "gas2"]


def test_acknowledged_signals_leave_and_a_key_is_queued_once(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    box.put([_sig("a", 1), _sig("a", 1), _sig("b", 2)])
    assert box.depth() == 2
    first = box.next_batch(1)
    box.ack_batch([q.id for q in first])
    assert [q.body["key"] for q in box.next_batch()] == ["b"]
    assert box.has_work.is_set()
    box.ack_batch([q.id for q in box.next_batch()])
    assert box.depth() == 0 and not box.has_work.is_set()


def test_what_was_put_survives_a_restart(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    box.put([_sig("gas", 1)])
    box.save("offline", ["x", "y"])
    box.close()  # (a SIGKILL needs no close: put has committed with synchronous=FULL)
    again = Outbox(tmp_path / "o.db")
    assert [q.body["key"] for q in again.next_batch()] == ["gas"]
    assert again.has_work.is_set()
    assert again.load("offline") == ["x", "y"]
    assert again.load("missing", []) == []

