"""Staff accounts kept in the database (`python -m controlroom users`): add, list, disable,
reset. Each change is audited and takes the account over from the site file (origin "db");
disabling and resetting bump its session version, which ends every session it has at once
(every request checks it, `accounts.session_current`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from controlroom.core.audit import audit
from controlroom.core.models import User
from controlroom.core.production import is_demo_password
from controlroom.core.security import Passwords

ROLES = ("operator", "supervisor", "frontdesk", "maintenance", "admin", "gateway", "kiosk")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A refused account change; `str()` is one line saying why."""


@dataclass(frozen=True)
class AccountRow:
    username: str
    name: str
    role: str
    active: bool
    origin: str


def password_refusal(password: str) -> str | None:
    """Why a new password will not do, or None."""
    if len(password) < MIN_PASSWORD:
        return f"the password is {len(password)} characters; want at least {MIN_PASSWORD}"
    if is_demo_password(password):
        return "that is a demo password"
    return None


def _check_password(password: str) -> None:
    refusal = password_refusal(password)
    if refusal:
        raise AccountError(refusal)


def _get(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"no account {username!r}")
    return user


def add(sessions: sessionmaker, passwords: Passwords, at: datetime, actor: str,
        username: str, role: str, name: str, password: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    _check_password(password)
    with sessions() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise AccountError(f"account {username!r} exists: reset its password instead")
        s.add(User(username=username, name=name or username, role=role, origin="db",
                   password_hash=passwords.hash(password), active=True, session_version=0))
        audit(s, at, actor, "account_added", username, f"role {role}")
        s.commit()


def listing(sessions: sessionmaker) -> list[AccountRow]:
    with sessions() as s:
        return [AccountRow(u.username, u.name, u.role, bool(u.active), u.origin)
                for u in s.scalars(select(User).order_by(User.username))]


def disable(sessions: sessionmaker, at: datetime, actor: str, username: str) -> None:
    with sessions() as s:
        user = _get(s, username)
        user.active, user.origin = False, "db"
        user.session_version += 1
        audit(s, at, actor, "account_disabled", username, "sessions ended")
        s.commit()


def reset(sessions: sessionmaker, passwords: Passwords, at: datetime, actor: str,
          username: str, password: str) -> None:
    """A new password; the account is active again (a disabled one is re-enabled)."""
    _check_password(password)
    with sessions() as s:
        user = _get(s, username)
        user.password_hash = passwords.hash(password)
        user.active, user.origin = True, "db"
        user.session_version += 1
        audit(s, at, actor, "password_reset", username, "sessions ended")
        s.commit()
