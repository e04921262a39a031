"""The request lifecycle and who may take each step, as plain values."""

from __future__ import annotations

import pytest

from controlroom.services.requests.flow import (
    ConfirmationRequired,
    RatingError,
    Ratings,
    TransitionError,
    actions_from,
    check_close,
    check_ratings,
    may,
    next_state,
)

HAPPY_PATH = [("assign", "assigned"), ("start", "in_progress"),
              ("wait_parts", "waiting_parts"), ("start", "in_progress"),
              ("complete", "completed"), ("accept", "accepted"),
              ("return_visit", "return_visit"), ("close", "closed")]


def test_a_request_goes_from_received_to_closed() -> None:
    state = "received"
    for action, expected in HAPPY_PATH:
        state = next_state(state, action)
        assert state == expected


def test_a_closed_or_cancelled_request_takes_no_more_steps() -> None:
    for final in ("closed", "cancelled"):
        assert actions_from(final) == []
        with pytest.raises(TransitionError):
            next_state(final, "note")


def test_steps_out_of_order_are_refused_with_the_allowed_states() -> None:
    with pytest.raises(TransitionError) as err:
        next_state("received", "complete")
    assert str(err.value) == ("cannot complete a request that is received; "
                              "only from assigned, in_progress")
    with pytest.raises(TransitionError):
        next_state("completed", "cancel")
    with pytest.raises(TransitionError):
        next_state("accepted", "close")  # every closed request gets its return visit first


def test_the_resident_not_accepting_sends_the_work_back() -> None:
    assert next_state("completed", "reopen") == "assigned"


def test_recording_steps_keep_the_state() -> None:
    assert next_state("in_progress", "feedback") == "in_progress"
    assert next_state("return_visit", "judge") == "return_visit"


def test_a_complaint_closes_only_with_the_residents_confirmation() -> None:
    with pytest.raises(ConfirmationRequired):
        check_close("complaint", resident_confirmed=False)
    check_close("complaint", resident_confirmed=True)
    check_close("repair", resident_confirmed=False)


def test_ratings_are_whole_numbers_from_1_to_5() -> None:
    assert check_ratings(5, 4, 3) == Ratings(5, 4, 3)
    for bad in ((0, 4, 3), (5, 6, 3), (5, 4, True), (5, 4.5, 3)):
        with pytest.raises(RatingError):
            check_ratings(*bad)  # type: ignore[arg-type]


def test_the_desk_butlers_supervisors_and_admins_take_every_step() -> None:
    for role in ("frontdesk", "supervisor", "admin"):
        assert all(may(role, a) for a in ("assign", "close", "cancel", "start", "read"))


def test_a_technician_starts_and_completes_only_their_own_work() -> None:
    assert may("maintenance", "start", actor="maintenance", assignee="maintenance")
    assert may("maintenance", "complete", actor="maintenance", assignee="maintenance")
    assert not may("maintenance", "start", actor="maintenance", assignee="butler1")
    assert not may("maintenance", "assign", actor="maintenance", assignee="maintenance")
    assert not may("maintenance", "close", actor="maintenance", assignee="maintenance")


def test_operators_read_and_nothing_else_and_devices_not_even_that() -> None:
    assert may("operator", "read")
    assert not may("operator", "assign")
    assert not may("kiosk", "read") and not may("gateway", "read")
