import pytest

from controlroom.alert_rules import SignalOutcome, TransitionError, next_state, on_signal


def test_an_active_signal_with_nothing_open_raises_an_alert() -> None:
    assert on_signal(None, "active", 1) is SignalOutcome.CREATE


def test_a_repeat_updates_the_open_alert_and_never_duplicates_it() -> None:
    assert on_signal("active", "active", 1) is SignalOutcome.REPEAT


def test_restore_does_not_resolve_a_latched_gas_alarm() -> None:
    assert on_signal("active", "restored", 1) is SignalOutcome.RESTORE
    assert on_signal("active", "restored", 2) is SignalOutcome.RESTORE


def test_restore_resolves_a_non_latching_alert() -> None:
    assert on_signal("active", "restored", 3) is SignalOutcome.RESTORE_AND_RESOLVE
    assert on_signal("active", "restored", 4) is SignalOutcome.RESTORE_AND_RESOLVE


def test_an_alarm_coming_back_before_resolution_reactivates_the_same_alert() -> None:
    assert on_signal("restored", "active", 1) is SignalOutcome.REACTIVATE


def test_a_restore_with_nothing_open_or_already_restored_is_ignored() -> None:
    assert on_signal(None, "restored", 1) is SignalOutcome.IGNORE
    assert on_signal("restored", "restored", 1) is SignalOutcome.IGNORE


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
