"""What the control room knows of each lobby kiosk: its last heartbeat (kiosk fleet)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base


class KioskStatus(Base):
    """One row per kiosk that has ever sent a heartbeat; `online` goes False when it falls
    silent past its window (and a maintenance alert is raised), True when it is heard again."""

    __tablename__ = "kiosk_status"

    kiosk: Mapped[str] = mapped_column(String(64), primary_key=True)
    online: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen: Mapped[datetime]
    version: Mapped[str] = mapped_column(String(64), default="")
    uptime_s: Mapped[float] = mapped_column(Float, default=0.0)
    readers: Mapped[dict] = mapped_column(JSON, default=dict)  # reader kind -> status
    last_error: Mapped[str] = mapped_column(Text, default="")
