"""The tables no domain owns: staff and device accounts (`User`), settings, and the audit
log every domain writes to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base, UTCDateTime


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # "site": seeded and kept in step by the site file; "db": managed by `python -m controlroom
    # users` (added, disabled or reset there), which the site file no longer touches.
    origin: Mapped[str] = mapped_column(String(8), default="site", server_default="site")
    # In every token issued for the account; bumped by disable/reset, ending its sessions.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Setting(Base):
    """Small key/value store shared by every replica (e.g. the token signing key)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class LockoutCount(Base):
    """One lockout key's wrong attempts and lock (controlroom/core/shared_lockout.py): shared
    by every replica. Times are seconds since the epoch, as the rule counts them."""

    __tablename__ = "lockout_counts"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[list] = mapped_column(JSON)
    locked_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[float] = mapped_column(Float, index=True)
