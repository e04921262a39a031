"""`/api/notifications` (ARCHITECTURE §10): the outbox's messages with their state, and
sending a failed one again (audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from controlroom.api.deps import NotificationReader, NotificationResender, OutboxDep
from controlroom.core.errors import problems
from controlroom.core.notify_schemas import NotificationPublic, NotificationsPublic

router = APIRouter(prefix="/api/notifications", tags=["notifications"])

NotificationId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")]


@router.get("", response_model=NotificationsPublic, responses=problems(401, 403, 422))
def read_notifications(outbox: OutboxDep, _: NotificationReader,
                       state: Literal["queued", "sent", "failed"] | None = None,
                       kind: str | None = None, recipient: str | None = None,
                       about: str | None = None) -> NotificationsPublic:
    """Newest first; `recipient` is a role, a phone number or a flat."""
    rows = outbox.list(state=state, kind=kind, recipient=recipient, about=about)
    return NotificationsPublic(data=[NotificationPublic.of(n) for n in rows], count=len(rows),
                               failing=outbox.failing())


@router.get("/{notification_id}", response_model=NotificationPublic,
            responses=problems(401, 403, 404, 422))
def read_notification(outbox: OutboxDep, _: NotificationReader,
                      notification_id: NotificationId) -> NotificationPublic:
    return NotificationPublic.of(outbox.get(notification_id))


@router.post("/{notification_id}/resend", response_model=NotificationPublic,
             responses=problems(401, 403, 404, 409, 422))
def resend_notification(outbox: OutboxDep, who: NotificationResender,
                        notification_id: NotificationId) -> NotificationPublic:
    """Send a failed notification again now (a fresh round of attempts); audited."""
    return NotificationPublic.of(outbox.resend(notification_id, who.username))
