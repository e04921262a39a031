"""Bodies of `GET /api/notifications` (ARCHITECTURE §10): each message with its state and
attempts. A resident's phone and any code in a message are masked: the console shows that a
message went, not the credential in it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from controlroom.core.notify_models import Notification
from controlroom.core.notify_rules import mask_code, mask_phone


class NotificationPublic(BaseModel):
    id: str
    kind: str
    channel: str
    recipient: str
    unit: str | None
    about: str
    subject: str
    text: str
    urgent: bool
    state: str  # queued, sent, failed
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str

    @classmethod
    def of(cls, n: Notification) -> NotificationPublic:
        return cls(id=n.id, kind=n.kind, channel=n.channel,
                   recipient=mask_phone(n.recipient) if n.channel == "sms" else n.recipient,
                   unit=n.unit, about=n.about, subject=n.subject,
                   text=mask_code(n.text, n.secret), urgent=n.urgent, state=n.state,
                   attempts=n.attempts, created_at=n.created_at,
                   next_attempt_at=n.next_attempt_at, sent_at=n.sent_at,
                   last_error=n.last_error)


class NotificationsPublic(BaseModel):
    data: list[NotificationPublic]
    count: int
    failing: int  # failing now across the outbox (the console's top bar)
