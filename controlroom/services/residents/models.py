"""Tables of the residents: the register, kiosk sessions and one-time codes (on the one `Base` of
controlroom/core/db.py; controlroom/tables.py lists every domain's models)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base, UTCDateTime


class ResidentSession(Base):
    """A resident logged in at one kiosk. Only the token's SHA-256 is kept, so a read of the
    table does not hand out live sessions; every replica sees the same sessions."""

    __tablename__ = "resident_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(32))
    kiosk: Mapped[str] = mapped_column(String(64))
    name_masked: Mapped[str] = mapped_column(String(64))
    # How the resident logged in: pin, otp or card. Only a card session may collect a held
    # item without its pickup code (POST /api/kiosk/items/{id}/collect).
    method: Mapped[str] = mapped_column(String(8), default="pin")
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


class RegisteredResident(Base):
    """One resident of one flat in the register the desk keeps (seeded once from the site
    file). A move-out ends the row (`moved_out`) instead of deleting it: the history stays.
    `pin_hash` is argon2; `pin_reset_hash` the HMAC of a one-time PIN-reset code."""

    __tablename__ = "residents"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))
    phone2: Mapped[str] = mapped_column(String(32), default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    elderly_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"role": "son", "name": "...", "phone": "..."}]
    contacts: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    card: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    pin_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    pin_reset_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pin_reset_expires: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    moved_in: Mapped[date]
    moved_out: Mapped[date | None] = mapped_column(nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(16), default="desk")  # site, desk, import
