"""The resident register the desk keeps (DOMAIN.md "Privacy and records"): who lives in which
flat, their phones, language, emergency contacts by role, the elderly-alone flag, their card
and PIN. Seeded once from the site file; after that the desk's changes are the truth.

A move-out ends a row rather than deleting it (the history stays). Every change is audited;
the audit names the fields changed, not the phone numbers (PIPL: the log is read widely).
The kiosk's logins read the living residents here (`sessions.ResidentDirectory`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from config import EmergencyContact, Resident, Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.db import get_or_not_found
from controlroom.core.errors import Conflict, Invalid
from controlroom.core.security import Passwords
from controlroom.services.residents.importing import (
    CARD,
    PHONE,
    Existing,
    ImportPlan,
    parse_contacts,
)
from controlroom.services.residents.models import RegisteredResident

__all__ = ["PIN_RESET_LIFETIME", "RegisterService", "as_resident", "seed_from_site"]

PIN_RESET_LIFETIME = timedelta(hours=24)  # the resident may not pass the kiosk the same day
PIN = "0123456789"
EDITABLE = ("name", "phone", "phone2", "language", "elderly_alone", "contacts")


def as_resident(r: RegisteredResident) -> Resident:
    """The register's row as the `Resident` the rest of the house reads (no PIN)."""
    return Resident(unit=r.unit, name=r.name, phone=r.phone, elderly_alone=r.elderly_alone,
                    emergency_contacts=tuple(EmergencyContact(c["name"], c["phone"], c["role"])
                                             for c in r.contacts or []),
                    pin=None, card=r.card, language=r.language or "zh")


def seed_from_site(sessions: sessionmaker, site: Site, passwords: Passwords, today: date) -> int:
    """Copy the site file's residents into an empty register (once: a register that ever had
    a row, even a moved-out one, is the desk's and is left alone). Returns how many."""
    with sessions.begin() as s:
        if s.scalar(select(func.count()).select_from(RegisteredResident)):
            return 0
        hashes: dict[tuple[str, str], str] = {}
        for r in site.residents:
            pin_hash = None
            if r.pin is not None:
                pin_hash = hashes.setdefault((r.unit, r.pin), passwords.hash(r.pin))
            s.add(RegisteredResident(
                unit=r.unit, name=r.name, phone=r.phone, phone2="", language=r.language,
                elderly_alone=r.elderly_alone, card=r.card, pin_hash=pin_hash,
                contacts=[{"role": c.relation, "name": c.name, "phone": c.phone}
                          for c in r.emergency_contacts],
                moved_in=today, source="site"))
        audit(s, utcnow(), "system", "resident.seed", "residents",
              f"{len(site.residents)} residents from the site file")
        return len(site.residents)


def _contacts(value: Any) -> list[dict[str, str]]:
    """Contacts given as a list of {role, name, phone} or as 'role:name:phone; ...'."""
    if isinstance(value, str):
        try:
            return [{"role": r, "name": n, "phone": p} for r, n, p in parse_contacts(value)]
        except ValueError as exc:
            raise Invalid(f"contacts: {exc}", code="invalid") from None
    out = []
    for c in value or []:
        role, name, phone = (str(c.get(k, "")).strip() for k in ("role", "name", "phone"))
        if not (role and name and PHONE.match(phone)):
            raise Invalid("contacts: each needs a role, a name and a phone number",
                          code="invalid")
        out.append({"role": role, "name": name, "phone": phone})
    return out


class RegisterService:
    def __init__(self, sessions: sessionmaker, site: Site, passwords: Passwords,
                 code_key: Callable[[], bytes], today: Callable[[], date],
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.passwords = passwords
        self.code_key = code_key
        self.today = today
        self.now = now

    # -- reading -------------------------------------------------------------------------------

    def living(self, unit: str | None = None, q: str | None = None,
               with_history: bool = False) -> list[RegisteredResident]:
        stmt = select(RegisteredResident).order_by(RegisteredResident.unit,
                                                   RegisteredResident.id)
        if not with_history:
            stmt = stmt.where(RegisteredResident.moved_out.is_(None))
        if unit:
            stmt = stmt.where(RegisteredResident.unit == unit)
        if q:
            like = f"%{q}%"
            stmt = stmt.where(RegisteredResident.name.like(like)
                              | RegisteredResident.unit.like(like))
        with self.sessions() as s:
            return list(s.scalars(stmt.limit(5000)))

    def get(self, resident_id: int) -> RegisteredResident:
        with self.sessions() as s:
            return self._get(s, resident_id)

    @staticmethod
    def _get(s: Session, resident_id: int) -> RegisteredResident:
        return get_or_not_found(s, RegisteredResident, resident_id, "resident")

    def by_card(self, card: str) -> RegisteredResident | None:
        with self.sessions() as s:
            return s.scalar(select(RegisteredResident).where(
                RegisteredResident.card == card.strip().upper(),
                RegisteredResident.moved_out.is_(None)))

    # -- the desk's changes --------------------------------------------------------------------

    def move_in(self, actor: str, unit: str, name: str, phone: str, phone2: str = "",
                language: str = "zh", elderly_alone: bool = False,
                contacts: Any = None, card: str | None = None,
                moved_in: date | None = None) -> RegisteredResident:
        self._check(unit=unit, name=name, phone=phone, phone2=phone2, language=language)
        contact_list = _contacts(contacts)
        with self.sessions.begin() as s:
            if s.scalar(select(RegisteredResident.id).where(
                    RegisteredResident.unit == unit, RegisteredResident.name == name.strip(),
                    RegisteredResident.moved_out.is_(None))):
                raise Conflict(f"{name} already lives in {unit}", code="resident_exists")
            card_value = self._free_card(s, card, None) if card else None
            r = RegisteredResident(unit=unit, name=name.strip(), phone=phone, phone2=phone2,
                                   language=language, elderly_alone=elderly_alone,
                                   contacts=contact_list, card=card_value,
                                   moved_in=moved_in or self.today(), source="desk")
            s.add(r)
            s.flush()
            audit(s, self.now(), actor, "resident.move_in", f"resident:{r.id}",
                  f"moved into {unit} on {r.moved_in.isoformat()}")
            return r

    def move_out(self, actor: str, resident_id: int, on: date | None = None
                 ) -> RegisteredResident:
        with self.sessions.begin() as s:
            r = self._get(s, resident_id)
            if r.moved_out is not None:
                raise Conflict(f"{r.name} moved out on {r.moved_out}", code="moved_out")
            r.moved_out = on or self.today()
            if r.moved_out < r.moved_in:
                raise Invalid("on: a move-out cannot come before the move-in", code="invalid")
            lost_card, r.card, r.pin_hash = r.card, None, None
            audit(s, self.now(), actor, "resident.move_out", f"resident:{r.id}",
                  f"moved out of {r.unit} on {r.moved_out.isoformat()}"
                  + (f"; card {lost_card} withdrawn" if lost_card else ""))
            return r

    def update(self, actor: str, resident_id: int, **changes: Any) -> RegisteredResident:
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise Invalid(f"cannot change {', '.join(sorted(unknown))} here", code="invalid")
        if "contacts" in changes:
            changes["contacts"] = _contacts(changes["contacts"])
        with self.sessions.begin() as s:
            r = self._get(s, resident_id)
            if r.moved_out is not None:
                raise Conflict(f"{r.name} moved out: the record is history", code="moved_out")
            self._check(unit=r.unit, **{k: v for k, v in changes.items()
                                        if k in ("name", "phone", "phone2", "language")})
            changed = [k for k, v in changes.items() if getattr(r, k) != v]
            for k in changed:
                setattr(r, k, changes[k])
            if changed:
                audit(s, self.now(), actor, "resident.update", f"resident:{r.id}",
                      f"changed {', '.join(changed)}")
            return r

    def issue_card(self, actor: str, resident_id: int, card: str) -> RegisteredResident:
        with self.sessions.begin() as s:
            r = self._get(s, resident_id)
            if r.moved_out is not None:
                raise Conflict(f"{r.name} moved out", code="moved_out")
            old, r.card = r.card, self._free_card(s, card, r.id)
            audit(s, self.now(), actor, "resident.card_issued", f"resident:{r.id}",
                  f"card {r.card} issued" + (f", replacing {old}" if old else ""))
            return r

    def card_lost(self, actor: str, resident_id: int) -> RegisteredResident:
        with self.sessions.begin() as s:
            r = self._get(s, resident_id)
            if not r.card:
                raise Conflict(f"{r.name} has no card", code="no_card")
            old, r.card = r.card, None
            audit(s, self.now(), actor, "resident.card_lost", f"resident:{r.id}",
                  f"card {old} reported lost: it no longer opens a session")
            return r

    def reset_pin(self, actor: str, resident_id: int) -> tuple[RegisteredResident, str]:
        """The PIN stops working; a one-time code (returned, to send to the resident's phone)
        lets the resident choose a new one at the kiosk within `PIN_RESET_LIFETIME`."""
        code = f"{secrets.randbelow(100_000_000):08d}"
        with self.sessions.begin() as s:
            r = self._get(s, resident_id)
            if r.moved_out is not None:
                raise Conflict(f"{r.name} moved out", code="moved_out")
            r.pin_hash = None
            r.pin_reset_hash = self._digest(r.id, code)
            r.pin_reset_expires = self.now() + PIN_RESET_LIFETIME
            audit(s, self.now(), actor, "resident.pin_reset", f"resident:{r.id}",
                  "PIN cleared; a one-time code sent to the resident's phone")
            return r, code

    def choose_pin(self, unit: str, code: str, pin: str) -> RegisteredResident | None:
        """At the kiosk: the living resident of `unit` whose reset code this is gets `pin`;
        None if no such code is live (the caller counts the failure)."""
        if not (4 <= len(pin) <= 8 and all(ch in PIN for ch in pin)):
            raise Invalid("pin: 4 to 8 digits", code="invalid")
        now = self.now()
        with self.sessions.begin() as s:
            for r in s.scalars(select(RegisteredResident).where(
                    RegisteredResident.unit == unit, RegisteredResident.moved_out.is_(None),
                    RegisteredResident.pin_reset_hash.is_not(None))):
                if (r.pin_reset_expires and r.pin_reset_expires > now and hmac.compare_digest(
                        r.pin_reset_hash or "", self._digest(r.id, code.strip()))):
                    r.pin_hash = self.passwords.hash(pin)
                    r.pin_reset_hash = r.pin_reset_expires = None
                    audit(s, now, "kiosk", "resident.pin_chosen", f"resident:{r.id}",
                          "new PIN chosen with the one-time code")
                    return r
        return None

    # -- import --------------------------------------------------------------------------------

    def existing(self) -> list[Existing]:
        return [Existing(r.id, r.unit, r.name,
                         {"phone": r.phone, "phone2": r.phone2, "language": r.language,
                          "elderly_alone": r.elderly_alone, "card": r.card,
                          "contacts": list(r.contacts or [])})
                for r in self.living()]

    def apply_import(self, actor: str, plan: ImportPlan, filename: str) -> None:
        now, today = self.now(), self.today()
        with self.sessions.begin() as s:
            for row in plan.create:
                r = RegisteredResident(unit=row.unit, name=row.name, moved_in=row.moved_in
                                       or today, source="import", **row.values())
                s.add(r)
                s.flush()
                audit(s, now, actor, "resident.import", f"resident:{r.id}",
                      f"moved into {row.unit} ({filename} row {row.row})")
            for rid, row, changed in plan.update:
                r = self._get(s, rid)
                values = row.values()
                for k in changed:
                    setattr(r, k, values[k])
                audit(s, now, actor, "resident.import", f"resident:{rid}",
                      f"changed {', '.join(changed)} ({filename} row {row.row})")
            audit(s, now, actor, "resident.import_file", "residents",
                  f"{filename}: {len(plan.create)} new, {len(plan.update)} changed, "
                  f"{plan.unchanged} unchanged, {len(plan.refused)} refused")

    # -- helpers -------------------------------------------------------------------------------

    def _digest(self, resident_id: int, code: str) -> str:
        return hmac.new(self.code_key(), f"pin-reset:{resident_id}:{code}".encode(),
                        hashlib.sha256).hexdigest()

    def _check(self, unit: str, **fields: Any) -> None:
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r} at this site", code="unknown_unit")
        if "name" in fields and not str(fields["name"]).strip():
            raise Invalid("name: a name is needed", code="invalid")
        for key in ("phone", "phone2"):
            value = fields.get(key)
            if value is not None and (value or key == "phone") and not PHONE.match(value):
                raise Invalid(f"{key}: {value!r} is not a phone number", code="invalid")
        if fields.get("language", "zh") not in ("zh", "en"):
            raise Invalid("language: zh or en", code="invalid")

    @staticmethod
    def _free_card(s: Session, card: str, owner: int | None) -> str:
        card = card.strip().upper()
        if not CARD.match(card):
            raise Invalid("card: 4 to 32 hex digits", code="invalid")
        holder = s.scalar(select(RegisteredResident).where(
            RegisteredResident.card == card, RegisteredResident.moved_out.is_(None)))
        if holder is not None and holder.id != owner:
            raise Conflict(f"card {card} belongs to another resident ({holder.unit}): report "
                           "it lost first", code="card_taken")
        return card
