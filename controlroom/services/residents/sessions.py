"""Residents logged in at a kiosk (docs/api/kiosk.md "Two credentials"), and how they log in.

Sessions live in the database, so several control-room replicas behind one PostgreSQL accept
each other's sessions; only a SHA-256 of the token is stored. A session is bound to the kiosk
that made it, ends after `IDLE` without a call and at most `LONGEST` after it began.

`ResidentDirectory` answers "who is this?" for a PIN, a card or a one-time code, from the
register in the database (register.py); PINs are kept only as argon2 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import sessionmaker

from config import Resident, Site
from config.privacy import mask_name
from controlroom.core.clock import utcnow
from controlroom.core.security import Passwords
from controlroom.core.shared_lockout import SharedLockout
from controlroom.services.residents.models import (
    RegisteredResident,
    ResidentCode,
    ResidentSession,
)
from controlroom.services.residents.register import as_resident


@dataclass(frozen=True)
class ResidentClaims:
    unit: str
    kiosk: str  # the kiosk id the session is bound to
    name_masked: str
    session: str
    method: str = ""  # how the session was opened: pin, otp or card ("" unknown)


PIN_FAILURES = 5  # wrong PINs (or one-time codes) for one flat at one kiosk ...
PIN_WINDOW_S = 300  # ... within this long ...
PIN_LOCK_S = 300  # ... lock that flat at that kiosk this long


def pin_lockout(sessions: sessionmaker) -> SharedLockout:
    """The kiosk's PIN and one-time-code lockout, counted in the database (every replica
    counts the same)."""
    return SharedLockout(sessions, max_failures=PIN_FAILURES, window_s=PIN_WINDOW_S,
                         lock_s=PIN_LOCK_S)


CARD_FAILURES = 10  # unknown cards held to one kiosk's reader ...
CARD_WINDOW_S = 120  # ... within this long ...
CARD_LOCK_S = 120  # ... pause card logins at that kiosk this long (flat + PIN still works)


def card_lockout(sessions: sessionmaker) -> SharedLockout:
    """Unknown cards at a kiosk: a reader fed made-up card numbers (through a stolen kiosk
    token, or a card emulator) would otherwise try the register at the network's pace."""
    return SharedLockout(sessions, max_failures=CARD_FAILURES, window_s=CARD_WINDOW_S,
                         lock_s=CARD_LOCK_S)


IDLE = timedelta(seconds=120)
LONGEST = timedelta(minutes=15)
CODE_LIFETIME = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewSession:
    token: str
    unit: str
    name_masked: str
    expires_at: datetime  # if used without a pause: the 15-minute ceiling


class ResidentSessionStore:
    def __init__(self, sessions: sessionmaker, now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.now = now

    def create(self, unit: str, kiosk: str, name_masked: str, method: str = "pin"
               ) -> NewSession:
        now = self.now()
        token = secrets.token_urlsafe(32)
        with self.sessions() as s:
            # Sweep ended sessions here rather than on a timer: logins are rare.
            s.execute(delete(ResidentSession).where(ResidentSession.ends_at < now - IDLE))
            s.add(ResidentSession(token_hash=_digest(token), unit=unit, kiosk=kiosk,
                                  name_masked=name_masked, method=method, created_at=now,
                                  last_seen=now,
                                  ends_at=now + LONGEST))
            s.commit()
        return NewSession(token, unit, name_masked, now + LONGEST)

    def touch(self, token: str, kiosk_id: str) -> ResidentClaims | None:
        """The session's resident if it is alive and bound to this kiosk (and keep it alive),
        else None. A session shown at another kiosk is not ended: the right kiosk still can."""
        now = self.now()
        key = _digest(token)
        with self.sessions() as s:
            row = s.get(ResidentSession, key)
            if row is None or row.kiosk != kiosk_id:
                return None
            if now - row.last_seen > IDLE or now >= row.ends_at:
                s.delete(row)
                s.commit()
                return None
            s.execute(update(ResidentSession).where(ResidentSession.token_hash == key)
                      .values(last_seen=now))
            s.commit()
            return ResidentClaims(unit=row.unit, kiosk=row.kiosk, name_masked=row.name_masked,
                                  session=token, method=row.method)

    def end(self, token: str) -> None:
        with self.sessions() as s:
            s.execute(delete(ResidentSession).where(ResidentSession.token_hash == _digest(token)))
            s.commit()


class ResidentDirectory:
    """The living residents of the register (`register.RegisterService`) by PIN, card and
    one-time code."""

    def __init__(self, site: Site, passwords: Passwords, sessions: sessionmaker,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.site = site
        self.passwords = passwords
        self.sessions = sessions
        self.now = now
        self._dummy = ""
        self._code_key = b""
        self._ready = threading.Event()

    def prepare(self, code_key: bytes) -> None:
        """Make the dummy hash a PIN login of an unknown flat is checked against. `code_key`
        keys the one-time codes' digests: the token signing key, the same on every replica.
        (The PINs themselves are hashed when they are set: register.py.)"""
        self._code_key = code_key
        self._dummy = self.passwords.hash(secrets.token_hex(8))
        self._ready.set()

    def prepare_in_background(self, code_key: bytes) -> threading.Thread:
        """`prepare` on a thread, so start-up does not wait for argon2; a PIN login waits."""
        worker = threading.Thread(target=self.prepare, args=(code_key,), daemon=True,
                                  name="hash-resident-pins")
        worker.start()
        return worker

    def _living(self, *where: Any) -> list[RegisteredResident]:
        with self.sessions() as s:
            return list(s.scalars(select(RegisteredResident).where(
                RegisteredResident.moved_out.is_(None), *where).order_by(RegisteredResident.id)))

    def by_pin(self, unit: str, pin: str) -> Resident | None:
        if not self._ready.wait(timeout=120):
            raise RuntimeError("the residents' PINs are not ready yet")
        entries = [r for r in self._living(RegisteredResident.unit == unit) if r.pin_hash]
        if not entries:
            # As slow as a real check, so timing does not tell which flats exist.
            self.passwords.verify(self._dummy, pin)
            return None
        checked: dict[str, bool] = {}
        for r in entries:
            digest = r.pin_hash or ""
            if digest not in checked:
                checked[digest] = self.passwords.verify(digest, pin)
            if checked[digest]:
                return as_resident(r)
        return None

    def by_card(self, card: str) -> Resident | None:
        found = self._living(RegisteredResident.card == card.strip().upper())
        return as_resident(found[0]) if found else None

    def first_of(self, unit: str) -> Resident | None:
        found = self._living(RegisteredResident.unit == unit)
        return as_resident(found[0]) if found else None

    # -- one-time codes ------------------------------------------------------------------------

    def _code_digest(self, unit: str, code: str) -> str:
        return hmac.new(self._code_key, f"{unit}:{code}".encode(), hashlib.sha256).hexdigest()

    def new_code(self, unit: str, kiosk: str) -> str:
        """A fresh 6-digit code for the flat (earlier unused ones stop working)."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        now = self.now()
        with self.sessions() as s:
            s.execute(update(ResidentCode).where(ResidentCode.unit == unit,
                                                 ResidentCode.used.is_(False))
                      .values(used=True))
            s.add(ResidentCode(unit=unit, kiosk=kiosk, code_hash=self._code_digest(unit, code),
                               created_at=now, expires_at=now + CODE_LIFETIME, used=False))
            s.commit()
        return code

    def use_code(self, unit: str, kiosk: str, code: str) -> bool:
        """Whether `code` is the flat's live code requested at this kiosk; it is used up."""
        now = self.now()
        with self.sessions() as s:
            row = s.scalar(select(ResidentCode).where(
                ResidentCode.unit == unit, ResidentCode.kiosk == kiosk,
                ResidentCode.used.is_(False), ResidentCode.expires_at > now,
                ResidentCode.code_hash == self._code_digest(unit, code)))
            if row is None:
                return False
            won = s.execute(update(ResidentCode).where(ResidentCode.id == row.id,
                                                       ResidentCode.used.is_(False))
                            .values(used=True)).rowcount
            s.commit()
            return bool(won)


__all__ = ["IDLE", "LONGEST", "NewSession", "ResidentClaims", "ResidentDirectory",
           "ResidentSessionStore", "card_lockout", "mask_name", "pin_lockout"]
