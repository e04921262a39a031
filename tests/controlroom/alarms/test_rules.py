import pytest

from controlroom.alarms.rules import SignalOutcome, TransitionError, latches, next_state, on_signal


def test_an_active_signal_with_nothing_open_raises_an_alert() -> None:
    assert on_signal(None, "active", latches(1, test=False)) is SignalOutcome.CREATE


def test_a_repeat_updates_the_open_alert_and_never_duplicates_it() -> None:
    assert on_signal("active", "active", latches(1, test=False)) is SignalOutcome.REPEAT


def test_restore_does_not_resolve_a_latched_gas_alarm() -> None:
    assert on_signal("active", "restored", latches(1, test=False)) is SignalOutcome.RESTORE
    assert on_signal("active", "restored", latches(2, test=False)) is SignalOutcome.RESTORE


def test_restore_resolves_a_non_latching_alert() -> None:
    for priority in (3, 4):
        outcome = on_signal("active", "restored", latches(priority, test=False))
        assert outcome is SignalOutcome.RESTORE_AND_RESOLVE


def test_an_alarm_coming_back_before_resolution_reactivates_the_same_alert() -> None:
    assert on_signal("restored", "active", latches(1, test=False)) is SignalOutcome.REACTIVATE


def test_a_restore_with_nothing_open_or_already_restored_is_ignored() -> None:
    assert on_signal(None, "restored", latches(1, test=False)) is SignalOutcome.IGNORE
    assert on_signal("restored", "restored", latches(1, test=False)) is SignalOutcome.IGNORE


def test_lifecycle_open_acknowledged_dispatched_resolved() -> None:
    assert next_state("open", "ack") == "acknowledged"
    assert next_state("acknowledged", "dispatch") == "dispatched"
    assert next_state("dispatched", "resolve") == "resolved"
    assert next_state("open", "dispatch") == "dispatched"


@pytest.mark.parametrize(("state", "action"), [
    ("acknowledged", "ack"), ("dispatched", "ack"), ("resolved", "ack"),
    ("resolved", "dispatch"), ("resolved", "resolve"),
])
def test_actions_the_state_does_not_allow_are_refused(state: str, action: str) -> None:
    with pytest.raises(TransitionError):
        next_state(state, action)  # type: ignore[arg-type]


def test_a_test_event_never_latches_so_its_restore_closes_it() -> None:
    assert not latches(1, test=True)
    assert on_signal("active", "restored", latches(1, test=True)) is (
        SignalOutcome.RESTORE_AND_RESOLVE)
