"""Keys in custody and lent items (DOMAIN.md "Held items and keys", seed 003 L251, L493-495).

A flat may leave one door key, only with a signed custody declaration on file; every
movement of it (out, back, returned to the owner: when, to whom, why, by whom) is logged.
Lent items (trolley, toolbox) are recorded out and back; the reminders job follows them up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Site
from controlroom.core.clock import utcnow
from controlroom.core.db import get_or_not_found
from controlroom.core.errors import Conflict, Invalid, NotFound
from controlroom.core.models import AuditEntry
from controlroom.services.desk.declaration import decode_declaration
from controlroom.services.desk.models import KeyCustody, KeyMovement, LentItem

__all__ = ["CustodyService"]

# What each movement needs the key to be in, and leaves it in.
MOVES = {"out": ("in", "out"), "back": ("out", "in"), "returned": ("in", "returned")}


def _key(s: Session, key_id: int) -> KeyCustody:
    k = s.get(KeyCustody, key_id)
    if k is None:
        raise NotFound(f"no key {key_id} in custody", code="not_found")
    return k


class CustodyService:
    def __init__(self, sessions: sessionmaker, site: Site,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.now = now

    def _unit(self, unit: str) -> None:
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r} at this site", code="unknown_unit")

    # -- keys ----------------------------------------------------------------------------------

    def take_key(self, actor: str, unit: str, label: str, declaration_ref: str,
                 declaration_signed_at: date, purpose: str, signer_name: str,
                 signer_id_type: str, signer_id_last4: str, declaration_kind: str,
                 declaration_file: str) -> KeyCustody:
        self._unit(unit)
        if not signer_name.strip():
            raise Invalid("signer_name: who signed the declaration?", code="invalid")
        doc = decode_declaration(declaration_kind, declaration_file)
        now = self.now()
        with self.sessions.begin() as s:
            held = s.scalar(select(KeyCustody).where(KeyCustody.unit == unit,
                                                     KeyCustody.state != "returned"))
            if held is not None:
                raise Conflict(f"a key of {unit} is already in custody "
                               f"({held.label}); one door key per flat", code="key_held")
            k = KeyCustody(unit=unit, label=label, declaration_ref=declaration_ref,
                           declaration_signed_at=declaration_signed_at, purpose=purpose,
                           state="in", taken_at=now, taken_by=actor,
                           signer_name=signer_name.strip(), signer_id_type=signer_id_type,
                           signer_id_last4=signer_id_last4, declaration_kind=doc.kind,
                           declaration_media_type=doc.media_type, declaration_file=doc.data)
            s.add(k)
            s.flush()
            s.add(KeyMovement(key_id=k.id, at=now, direction="in", to_whom="",
                              why=f"taken into custody; declaration {declaration_ref}", by=actor))
            self._audit(s, now, actor, "key.custody", f"key:{k.id}",
                        f"{label} of {unit} into custody, declaration {declaration_ref} "
                        f"signed by {signer_name.strip()} ({doc.kind}), ID checked: "
                        f"{signer_id_type} …{signer_id_last4}")
            return k

    def move_key(self, actor: str, key_id: int, direction: str, to_whom: str, why: str
                 ) -> KeyCustody:
        if direction not in MOVES:
            raise Invalid(f"direction must be one of {', '.join(MOVES)}", code="invalid")
        if direction == "out" and not (to_whom.strip() and why.strip()):
            raise Invalid("to_whom and why: say who takes the key and why", code="invalid")
        now = self.now()
        with self.sessions.begin() as s:
            k = _key(s, key_id)
            need, after = MOVES[direction]
            if k.state != need:
                raise Conflict(f"key {k.label} is {k.state}: it cannot go "
                               f"{direction} now", code="key_state")
            k.state = after
            k.holder = to_whom if after == "out" else None
            s.add(KeyMovement(key_id=k.id, at=now, direction=direction, to_whom=to_whom,
                              why=why, by=actor))
            self._audit(s, now, actor, f"key.{direction}", f"key:{k.id}",
                        f"{k.label} {direction}" + (f" to {to_whom}" if to_whom else "")
                        + (f": {why}" if why else ""))
            return k

    def declaration(self, key_id: int) -> tuple[str, bytes]:
        """The declaration's file: (media type, bytes)."""
        with self.sessions() as s:
            k = _key(s, key_id)
            if not k.declaration_file:
                raise NotFound(f"key {k.label} has no declaration file on record",
                               code="not_found")
            return k.declaration_media_type, k.declaration_file

    def keys(self, unit: str | None = None) -> list[KeyCustody]:
        q = select(KeyCustody).order_by(KeyCustody.unit, KeyCustody.id)
        if unit:
            q = q.where(KeyCustody.unit == unit)
        with self.sessions() as s:
            return list(s.scalars(q))

    def key(self, key_id: int) -> tuple[KeyCustody, list[KeyMovement]]:
        with self.sessions() as s:
            k = _key(s, key_id)
            moves = list(s.scalars(select(KeyMovement).where(KeyMovement.key_id == key_id)
                                   .order_by(KeyMovement.id)))
            return k, moves

    # -- lending -------------------------------------------------------------------------------

    def lend(self, actor: str, unit: str, item: str, quantity: int, note: str) -> LentItem:
        self._unit(unit)
        now = self.now()
        with self.sessions.begin() as s:
            lent = LentItem(unit=unit, item=item, quantity=quantity, lent_at=now, lent_by=actor,
                            note=note)
            s.add(lent)
            s.flush()
            self._audit(s, now, actor, "lent.out", f"lent_item:{lent.id}",
                        f"{quantity} × {item} to {unit}")
            return lent

    def give_back(self, actor: str, lent_id: int, condition: str) -> LentItem:
        now = self.now()
        with self.sessions.begin() as s:
            lent = get_or_not_found(s, LentItem, lent_id, "lent item")
            if lent.returned_at is not None:
                raise Conflict(f"{lent.item} was already returned", code="already_returned")
            lent.returned_at, lent.received_by, lent.return_condition = now, actor, condition
            self._audit(s, now, actor, "lent.back", f"lent_item:{lent.id}",
                        f"{lent.item} back from {lent.unit}" + (f": {condition}"
                                                                if condition else ""))
            return lent

    def lent(self, outstanding: bool = True) -> list[LentItem]:
        q = select(LentItem).order_by(LentItem.lent_at)
        if outstanding:
            q = q.where(LentItem.returned_at.is_(None))
        with self.sessions() as s:
            return list(s.scalars(q))

    @staticmethod
    def _audit(s: Session, at: datetime, actor: str, action: str, target: str,
               detail: str) -> None:
        s.add(AuditEntry(at=at, actor=actor, action=action, target=target, detail=detail))
