"""The steps of a request's life, one method each (`_<action>`, called by
`RequestService.act` after request_flow allowed the step): what each changes on the request,
whom it tells, and the words it adds to the history."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from config import Resident, Site
from controlroom.core.clock import as_utc
from controlroom.core.notify import ResidentMessage
from controlroom.services.requests.flow import Invalid, check_close, check_ratings
from controlroom.services.requests.models import ServiceRequest
from controlroom.services.requests.sla import WorkingCalendar, deadlines

__all__ = ["ASSIGNEE_ROLES", "RequestSteps"]

# Who work can be assigned to: people with an account who do or run the work.
ASSIGNEE_ROLES = ("maintenance", "frontdesk", "supervisor", "admin")


class RequestSteps:
    """The step half of the request service (RequestService is one)."""

    site: Site
    calendar: WorkingCalendar
    residents_of: Callable[[str], Sequence[Resident]]  # the flat's living residents

    def _assign(self, req: ServiceRequest, now: datetime, *, assignee: str,
                department: str | None = None, due_at: datetime | None = None,
                **_: Any) -> str:
        person = self.site.staff.get(assignee)
        if person is None or person.role not in ASSIGNEE_ROLES:
            raise Invalid("assignee", f"{assignee!r} is not a member of staff who can take "
                          f"work ({', '.join(ASSIGNEE_ROLES)})")
        req.assignee = assignee
        req.department = (department or "").strip() or req.department
        if due_at is not None:
            due_at = as_utc(due_at)
            if due_at <= now:
                raise Invalid("due_at", "the deadline must be in the future")
            req.promises = {**req.promises, "work": {"due": due_at.isoformat(), "met": None}}
            # A new deadline can be escalated once again.
            req.escalated = [n for n in req.escalated if n != "work"]
        return (f"to {assignee} ({req.department or '-'})"
                + (f", by {due_at.isoformat()}" if due_at else ""))

    def _start(self, req: ServiceRequest, now: datetime, **_: Any) -> str:
        return ""

    def _wait_parts(self, req: ServiceRequest, now: datetime, *,
                    told: builtins.list[ResidentMessage], **_: Any) -> str:
        residents = self.residents_of(req.unit)
        for r in residents:
            told.append(ResidentMessage(
                req.unit, r.phone, r.language,
                f"{req.number} {req.title_zh}：正在等待配件，到货后我们会联系您。",
                f"{req.number} {req.title_en}: waiting for parts; we will call you when they "
                "arrive.", "waiting_for_parts", f"request:{req.id}"))
        return "resident told" if residents else "no resident phone on file"

    def _complete(self, req: ServiceRequest, now: datetime, **_: Any) -> str:
        return ""

    def _reopen(self, req: ServiceRequest, now: datetime, **_: Any) -> str:
        # The work is not done: the on-site and resolve promises are open again.
        req.promises = {n: (p if n in ("respond", "on_site") else {**p, "met": None})
                        for n, p in req.promises.items()}
        return "the resident did not accept the work"

    def _accept(self, req: ServiceRequest, now: datetime, **_: Any) -> str:
        return "accepted by the resident"

    def _return_visit(self, req: ServiceRequest, now: datetime, *, attitude: int,
                      quality: int, punctuality: int, **_: Any) -> str:
        r = check_ratings(attitude, quality, punctuality)
        req.rating_attitude, req.rating_quality, req.rating_punctuality = (
            r.attitude, r.quality, r.punctuality)
        return f"attitude {r.attitude}, quality {r.quality}, punctuality {r.punctuality}"

    def _close(self, req: ServiceRequest, now: datetime, *, resident_confirmed: bool = False,
               **_: Any) -> str:
        check_close(req.type, resident_confirmed)
        req.resident_confirmed = bool(resident_confirmed)
        req.closed_at = now
        return "confirmed by the resident" if resident_confirmed else ""

    def _cancel(self, req: ServiceRequest, now: datetime, *, note: str = "", **_: Any) -> str:
        if not note.strip():
            raise Invalid("note", "say why the request is cancelled")
        return ""

    def _feedback(self, req: ServiceRequest, now: datetime, *, note: str = "",
                  **_: Any) -> str:
        if not note.strip():
            raise Invalid("note", "write what the resident was told")
        return "resident given feedback"

    def _judge(self, req: ServiceRequest, now: datetime, *, valid: bool, serious: bool,
               **_: Any) -> str:
        if req.type != "complaint":
            raise Invalid("type", "only complaints are judged valid or invalid")
        severity = "serious" if serious else "ordinary"
        req.valid = valid
        if severity != req.severity:
            req.severity = severity
            resolve = next(p for p in deadlines("complaint", severity, req.created_at,
                                                self.site.sla, self.calendar)
                           if p.name == "resolve")
            req.promises = {**req.promises, "resolve": {
                **req.promises["resolve"], "due": resolve.due.isoformat()}}
            req.escalated = [n for n in req.escalated if n != "resolve"]
        return f"{'valid' if valid else 'invalid'}, {severity}"

    def _note(self, req: ServiceRequest, now: datetime, *, note: str = "", **_: Any) -> str:
        if not note.strip():
            raise Invalid("note", "write the note")
        return ""
