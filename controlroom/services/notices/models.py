"""The table of notices the kiosk shows (water, power, gas, general). Every write is also an
`AuditEntry`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base, UTCDateTime


class Notice(Base):
    """A published notice: site-wide or for one building; shown between start and expiry."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_window", "starts_at", "expires_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # general | water | power | gas
    building: Mapped[str | None] = mapped_column(String(16), nullable=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
