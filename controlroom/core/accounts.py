"""Staff and device accounts: synced from the site file, checked at login."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.models import AuditEntry, Setting, User
from controlroom.core.security import Passwords
from controlroom.core.shared_lockout import SharedLockout

LOGIN_FAILURES = 10  # wrong passwords for one account from one address ...
LOGIN_WINDOW_S = 900  # ... within this long ...
LOGIN_LOCK_S = 900  # ... lock that account from that address this long


def login_lockout(sessions: sessionmaker) -> SharedLockout:
    """Staff sign-in's lockout, counted in the database (every replica counts the same)."""
    return SharedLockout(sessions, max_failures=LOGIN_FAILURES, window_s=LOGIN_WINDOW_S,
                         lock_s=LOGIN_LOCK_S)


def _site_accounts(site: Site) -> dict[str, tuple[str, str, str, str]]:
    """username -> (name, role, plain password or "", argon2 hash or "") from the site file."""
    wanted = {s.username: (s.name, s.role, s.password, s.password_hash)
              for s in site.staff.values()}
    wanted |= {k.id: (k.name_en, "kiosk", k.password, k.password_hash)
               for k in site.kiosks.values()}
    return wanted


def sync_accounts(sessions: sessionmaker, site: Site, passwords: Passwords) -> None:
    """Seed the site file's accounts and keep those it owns (origin "site") in step: name,
    role, password (`password_hash` as given; a plain `password`, demo only, re-hashed only when
    it changed, so restarts stay fast), active while listed. An account `python -m controlroom
    users` has added, disabled or reset (origin "db") is left alone. A changed password ends
    the account's sessions. Every change is audited (actor "site file")."""
    wanted = _site_accounts(site)
    at = utcnow()
    with sessions() as s:
        existing = {u.username: u for u in s.scalars(select(User))}
        for username, (name, role, password, phash) in wanted.items():
            user = existing.get(username)
            if user is None:
                s.add(User(username=username, name=name, role=role, origin="site",
                           password_hash=phash or passwords.hash(password), active=True,
                           session_version=0))
                audit(s, at, "site file", "account_added", username, f"role {role}")
                continue
            if user.origin != "site":
                continue
            if (user.name, user.role, user.active) != (name, role, True):
                user.name, user.role, user.active = name, role, True
                audit(s, at, "site file", "account_updated", username, f"role {role}")
            changed = (user.password_hash != phash if phash
                       else not passwords.verify(user.password_hash, password))
            if changed:
                user.password_hash = phash or passwords.hash(password)
                user.session_version += 1
                audit(s, at, "site file", "password_changed", username, "sessions ended")
        for username, user in existing.items():
            if username not in wanted and user.origin == "site" and user.active:
                user.active = False
                audit(s, at, "site file", "account_disabled", username,
                      "no longer in the site file")
        s.commit()


def session_current(sessions: sessionmaker, username: str, version: int) -> bool:
    """Whether a token for `username` issued at session `version` still holds: the account
    is active and neither disabled nor reset since (checked on every request)."""
    with sessions() as s:
        row = s.execute(select(User.active, User.session_version)
                        .where(User.username == username)).first()
    return row is not None and bool(row.active) and row.session_version == version


def account_exists(sessions: sessionmaker, username: str) -> bool:
    with sessions() as s:
        return s.scalar(select(User.id).where(User.username == username)) is not None


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
