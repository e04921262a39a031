"""The life of a service request (DOMAIN.md "Service requests"), as pure rules.

    received → assigned (department, person, deadline) → in_progress ⇄ waiting_parts
             → completed → accepted (by the resident) → return_visit (ratings) → closed
    any open state before completion → cancelled; completed → assigned again (`reopen`) when
    the resident does not accept the work.

A complaint is ordinary or serious and is judged valid or invalid; it closes only with the
resident's confirmation. Who may take each step is `may(role, action, ...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from controlroom.core import errors

__all__ = [
    "ACTIONS",
    "ACT_ROLES",
    "OPEN_STATES",
    "READ_ROLES",
    "STATES",
    "TYPES",
    "ConfirmationRequired",
    "Forbidden",
    "Invalid",
    "NotFound",
    "RatingError",
    "Ratings",
    "TransitionError",
    "actions_from",
    "check_close",
    "check_ratings",
    "may",
    "next_state",
]

TYPES = ("repair", "urgent_repair", "complaint", "enquiry", "suggestion", "help",
         "service_order", "assistance")
STATES = ("received", "assigned", "in_progress", "waiting_parts", "completed", "accepted",
          "return_visit", "closed", "cancelled")
OPEN_STATES = STATES[:-2]
SEVERITIES = ("ordinary", "serious")
CHANNELS = ("kiosk", "desk", "phone")

_WORKING = frozenset({"received", "assigned", "in_progress", "waiting_parts"})

# action -> (the states it may be taken from, the state it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "assign": (_WORKING, "assigned"),
    "start": (frozenset({"assigned", "waiting_parts"}), "in_progress"),
    "wait_parts": (frozenset({"in_progress"}), "waiting_parts"),
    "complete": (frozenset({"assigned", "in_progress"}), "completed"),
    "reopen": (frozenset({"completed"}), "assigned"),
    "accept": (frozenset({"completed"}), "accepted"),
    "return_visit": (frozenset({"accepted"}), "return_visit"),
    "close": (frozenset({"return_visit"}), "closed"),
    "cancel": (_WORKING, "cancelled"),
}
# Steps that record something without moving the request: allowed while it is open.
NOTES = ("feedback", "judge", "note")

# The front desk and the butlers (role frontdesk), supervisors and administrators run
# requests; a maintenance technician works the ones assigned to them; operators read.
ACT_ROLES = ("frontdesk", "supervisor", "admin")
READ_ROLES = (*ACT_ROLES, "maintenance", "operator")
TECHNICIAN_ACTIONS = frozenset({"start", "wait_parts", "complete"})


class NotFound(errors.NotFound):
    code = "not_found"


class Forbidden(errors.Forbidden):
    code = "forbidden"


class Invalid(errors.Invalid):
    """A value a person must fix: `field` names it."""

    code = "invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field


class TransitionError(errors.Conflict):
    """The step is not allowed from the request's current state."""

    code = "not_allowed_now"

    def __init__(self, state: str, action: str) -> None:
        self.action = action
        allowed = ACTIONS[action][0] if action in ACTIONS else frozenset(OPEN_STATES)
        super().__init__(f"cannot {action.replace('_', ' ')} a request that is {state}; "
                         f"only from {', '.join(s for s in STATES if s in allowed)}",
                         state=state)
        self.state = state


class ConfirmationRequired(errors.Conflict):
    """A complaint closes only with the resident's confirmation."""

    code = "confirmation_required"


class RatingError(errors.Invalid):
    code = "invalid"


@dataclass(frozen=True)
class Ratings:
    attitude: int
    quality: int
    punctuality: int


def next_state(state: str, action: str) -> str:
    """The state after `action`, or TransitionError. Recording steps keep the state."""
    if action in NOTES:
        if state not in OPEN_STATES:
            raise TransitionError(state, action)
        return state
    sources, target = ACTIONS[action]
    if state not in sources:
        raise TransitionError(state, action)
    return target


def actions_from(state: str) -> list[str]:
    """The moving steps allowed from `state`, in lifecycle order."""
    return [a for a, (sources, _) in ACTIONS.items() if state in sources]


def check_close(request_type: str, resident_confirmed: bool) -> None:
    if request_type == "complaint" and not resident_confirmed:
        raise ConfirmationRequired(
            "a complaint closes only with the resident's confirmation: ask the resident, then "
            "close with resident_confirmed = true")


def check_ratings(attitude: int, quality: int, punctuality: int) -> Ratings:
    """The return visit's three ratings, each a whole number from 1 to 5."""
    for name, value in (("attitude", attitude), ("quality", quality),
                        ("punctuality", punctuality)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise RatingError(f"{name}: rate from 1 (poor) to 5 (excellent), not {value!r}")
    return Ratings(attitude, quality, punctuality)


def may(role: str, action: str, *, actor: str = "", assignee: str | None = None) -> bool:
    """Whether someone of `role` may take `action` (`read` to look) on a request assigned to
    `assignee`."""
    if action == "read":
        return role in READ_ROLES
    if role in ACT_ROLES:
        return True
    return role == "maintenance" and action in TECHNICIAN_ACTIONS and assignee == actor
