"""The notification outbox (ARCHITECTURE §10): one row per message to one recipient (a staff
role's channels, or a resident's phone), written in the transaction of what caused it and sent
after commit by the outbox job (controlroom/core/outbox.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base, UTCDateTime


class Notification(Base):
    __tablename__ = "notifications"
    # A uuid4 hex: the id the receiver drops a repeat by (an SMS gateway's `id`, a webhook's
    # X-Notification-Id header, the "ref" line of every staff message).
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # escalation, held_item, login_code, ...
    channel: Mapped[str] = mapped_column(String(8))  # "staff" (apprise) or "sms"
    recipient: Mapped[str] = mapped_column(String(64))  # a role, or a phone number
    unit: Mapped[str | None] = mapped_column(String(32), default=None)
    about: Mapped[str] = mapped_column(String(128), default="")  # e.g. alert:12, held_item:3
    subject: Mapped[str] = mapped_column(String(256), default="")
    text: Mapped[str] = mapped_column(Text)
    # A one-time or pickup code inside `text`: sent as is, masked wherever the row is shown.
    secret: Mapped[str | None] = mapped_column(String(32), default=None)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # about an alarm: never held
    state: Mapped[str] = mapped_column(String(8), default="queued")  # queued, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When to try next (a claim pushes it past the send timeout, so a sender that dies
    # mid-send leaves it to be tried again); None once sent or given up.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # For staff roles with several channels: the indexes of those that already took it, so a
    # retry goes to the others only.
    delivered: Mapped[list[int]] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_notifications_due", "next_attempt_at"),
                      Index("ix_notifications_state", "state", "created_at"),
                      Index("ix_notifications_unit", "unit", "created_at"))
