"""Staff and device accounts: synced from the site file, checked at login."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.core.clock import utcnow
from controlroom.core.lockout import Lockout
from controlroom.core.models import AuditEntry, Setting, User
from controlroom.core.security import Passwords

LOGIN_FAILURES = 10  # wrong passwords for one account from one address ...
LOGIN_WINDOW_S = 900  # ... within this long ...
LOGIN_LOCK_S = 900  # ... lock that account from that address this long


def login_lockout() -> Lockout:
    """Staff sign-in's lockout: in memory, per process."""
    return Lockout(max_failures=LOGIN_FAILURES, window_s=LOGIN_WINDOW_S, lock_s=LOGIN_LOCK_S)


def sync_accounts(sessions: sessionmaker, site: Site, passwords: Passwords) -> None:
    """Create or update one account per staff member and per kiosk. A password is re-hashed
    only when it changed in the site file, so restarts stay fast."""
    wanted = {s.username: (s.name, s.role, s.password) for s in site.staff.values()}
    wanted |= {k.id: (k.name_en, "kiosk", k.password) for k in site.kiosks.values()}
    with sessions() as s:
        existing = {u.username: u for u in s.scalars(select(User))}
        for username, (name, role, password) in wanted.items():
            user = existing.get(username)
            if user is None:
                s.add(User(username=username, name=name, role=role,
                           password_hash=passwords.hash(password), active=True))
                continue
            user.name, user.role, user.active = name, role, True
            if not passwords.verify(user.password_hash, password):
                user.password_hash = passwords.hash(password)
        for username, user in existing.items():
            if username not in wanted:
                user.active = False
        s.commit()


def signing_key(sessions: sessionmaker, env_key: str | None) -> bytes:
    """The token signing key: from the environment if set, otherwise one generated once and
    kept in the database, so every replica and every restart accept the same tokens."""
    if env_key:
        return env_key.encode()
    with sessions() as s:
        row = s.get(Setting, "token_key")
        if row is None:
            row = Setting(key="token_key", value=secrets.token_hex(32))
            s.add(row)
            s.commit()
        return row.value.encode()


def authenticate(sessions: sessionmaker, passwords: Passwords, username: str, password: str,
                 source: str = "") -> User | None:
    """The active account with this password, or None; audited either way (`source`: where
    the attempt came from, e.g. "from 10.0.0.2")."""
    with sessions() as s:
        user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
        ok = user is not None and passwords.verify(user.password_hash, password)
        s.add(AuditEntry(at=utcnow(), actor=username[:64], action="login" if ok else "login_failed",
                         target="", detail=source[:500]))
        s.commit()
        return user if ok else None


def audit_login(sessions: sessionmaker, username: str, action: str, detail: str) -> None:
    """A sign-in event that is not a password check, e.g. `login_locked`."""
    with sessions() as s:
        s.add(AuditEntry(at=utcnow(), actor=username[:64], action=action, target="",
                         detail=detail[:500]))
        s.commit()
