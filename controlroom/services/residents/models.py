"""Tables of the kiosk's residents: their sessions and one-time codes (on the one `Base` of
controlroom/core/db.py; controlroom/tables.py lists every domain's models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base


class ResidentSession(Base):
    """A resident logged in at one kiosk. Only the token's SHA-256 is kept, so a read of the
    table does not hand out live sessions; every replica sees the same sessions."""

    __tablename__ = "resident_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(32))
    kiosk: Mapped[str] = mapped_column(String(64))
    name_masked: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)  # the 15-minute ceiling


class ResidentCode(Base):
    """A one-time code sent to a flat's phone for logging in at a kiosk (hash only)."""

    __tablename__ = "resident_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    kiosk: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used: Mapped[bool] = mapped_column(Boolean, default=False)
