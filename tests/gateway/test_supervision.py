from gateway.supervision import Supervisor, Transition


def _sup(now: float = 0.0, offline: set[str] | None = None) -> Supervisor:
    return Supervisor({"a": 60.0, "b": 60.0, "panel": 3600.0}, now, offline=offline or set())


def test_silence_for_three_intervals_is_offline_and_traffic_restores() -> None:
    s = _sup()
    assert s.tick(179.0) == []
    assert s.tick(181.0) == [Transition("a", True, 181.0, "silent"),
                             Transition("b", True, 181.0, "silent")]
    assert s.tick(200.0) == []  # reported once
    assert s.heard("a", 201.0) == [Transition("a", False, 201.0, "heard")]
    assert s.heard("a", 202.0) == []


def test_heartbeats_keep_a_device_online() -> None:
    s = _sup()
    for t in range(50, 1000, 50):
        s.heard("a", float(t))
        assert all(tr.device != "a" for tr in s.tick(float(t)))


def test_a_last_will_is_offline_at_once() -> None:
    s = _sup()
    assert s.last_will("a", 5.0) == [Transition("a", True, 5.0, "last_will")]
    assert s.last_will("a", 6.0) == []
    assert s.tick(500.0) == [Transition("b", True, 500.0, "silent")]  # a is already offline


def test_a_restart_gives_grace_but_remembers_who_was_offline() -> None:
    s = _sup(now=1000.0, offline={"b"})
    assert s.tick(1100.0) == []  # nobody marked offline just because we restarted
    assert s.heard("b", 1101.0) == [Transition("b", False, 1101.0, "heard")]
    assert s.heard("a", 1102.0) == []


def test_panels_have_their_own_interval_and_unknown_devices_are_ignored() -> None:
    s = _sup()
    offline = {t.device for t in s.tick(3 * 3600.0 + 1)}
    assert "panel" in offline
    assert s.heard("ghost", 1.0) == [] and s.last_will("ghost", 1.0) == []


def test_a_message_sent_before_the_last_will_does_not_bring_the_device_back() -> None:
    """A heartbeat travels through the telemetry process, the last will through the urgent
    link: one sent just before the device dropped may arrive after its will."""
    s = _sup()
    s.heard("a", 10.0)
    assert s.last_will("a", 20.0) == [Transition("a", True, 20.0, "last_will")]
    assert s.heard("a", 19.95) == []  # received before the will, processed after it
    assert s.heard("a", 20.5) == []  # stamped by another process, just after: still unsure
    assert "a" in s.offline
    # Its `online` state (same connection as the will) brings it back at once ...
    assert s.heard("a", 20.6, said_online=True) == [Transition("a", False, 20.6, "heard")]
    # ... and so does anything received well after the will.
    s.last_will("a", 30.0)
    assert s.heard("a", 33.0) == [Transition("a", False, 33.0, "heard")]


def test_a_silent_device_is_back_with_any_newer_message() -> None:
    s = _sup()
    assert [t.device for t in s.tick(181.0)] == ["a", "b"]
    assert s.heard("a", 180.5) == [Transition("a", False, 180.5, "heard")]


def test_silence_while_the_gateway_cannot_hear_does_not_count() -> None:
    s = _sup(now=0.0)
    for t in range(1, 300):  # broker links not up yet: five minutes of deaf ticks
        s.deaf(["a", "b"], float(t))
        s.tick(float(t))
    assert s.offline == set()
    assert s.tick(300.0 + 179.0) == []  # a full grace from when it could hear again
    assert [t.device for t in s.tick(300.0 + 181.0)] == ["a", "b"]
