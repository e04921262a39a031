"""Tables of service requests and their history (on the one `Base` of controlroom/core/db.py;
controlroom/tables.py lists every domain's models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from controlroom.core.db import Base


class ServiceRequest(Base):
    """A resident's request (DOMAIN.md "Service requests"), owned by the building's butler.

    `promises` holds each promise's deadline and when it was kept:
    `{"respond": {"due": iso, "met": iso | null}, ...}`; the columns after it are derived from
    it on every change so the queue and the SLA watcher can sort and select in SQL.
    """

    __tablename__ = "service_requests"
    __table_args__ = (
        Index("ix_service_requests_queue", "state", "overdue", "next_due"),
        Index("ix_service_requests_watch", "watch_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # SR-YYYYMMDD-NNNN
    site: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32), index=True)
    building: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(16), default="ordinary")
    valid: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # complaints, once judged
    item: Mapped[str | None] = mapped_column(String(64), nullable=True)  # menu item id
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title_zh: Mapped[str] = mapped_column(String(128))
    title_en: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))  # kiosk | desk | phone
    state: Mapped[str] = mapped_column(String(16), default="received")
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    promises: Mapped[dict] = mapped_column(JSON, default=dict)
    next_promise: Mapped[str | None] = mapped_column(String(16), nullable=True)
    next_due: Mapped[datetime | None] = mapped_column(nullable=True)
    # The earliest deadline not yet kept nor escalated: the watcher looks at watch_at <= now.
    watch_at: Mapped[datetime | None] = mapped_column(nullable=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated: Mapped[list] = mapped_column(JSON, default=list)  # promise names, once each
    rating_attitude: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_punctuality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resident_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    history: Mapped[list[ServiceRequestHistory]] = relationship(
        back_populates="request", order_by="ServiceRequestHistory.id", lazy="raise")


class ServiceRequestHistory(Base):
    """Every step of a request: who, when, the state after it, and what was said."""

    __tablename__ = "service_request_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    request: Mapped[ServiceRequest] = relationship(back_populates="history")
