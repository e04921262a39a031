"""Pickup at the lobby kiosk with the code from the arrival message: looking an item up,
confirming the pieces, and locking a kiosk's pickup after too many wrong codes; and
collecting one of the flat's items after logging in with the resident card (the card stands
for the code; every other release rule applies the same)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.core.errors import Conflict, DomainError, Gone, Locked, NotFound
from controlroom.core.shared_lockout import SharedLockout
from controlroom.services.desk.models import HeldItem, PickupAttempt
from controlroom.services.desk.pickup_codes import QUARANTINE_DAYS
from controlroom.services.desk.release_rules import ItemFacts, release_allowed
from controlroom.services.desk.reminders import Period

__all__ = ["CARD_COLLECTOR", "KioskPickup"]

PICKUP_LOCK = ("pickup",)  # + kiosk id: the lockout key
# Who took an item collected with the resident card (picked_up_by, and the audit's "to ...").
CARD_COLLECTOR = "resident of the flat, by card"


class KioskPickup:
    """The kiosk half of the held-item service (HeldItemService is one)."""

    sessions: sessionmaker
    site: Site
    now: Callable[[], datetime]
    lockout: SharedLockout

    if TYPE_CHECKING:  # HeldItemService's, which this is part of
        def _facts(self, s: Session, item: HeldItem, now: datetime) -> ItemFacts: ...
        def _holds(self, s: Session, unit: str) -> list[Period]: ...
        def _tx(self, run: Callable[[Session], HeldItem]) -> HeldItem: ...
        def _close(self, s: Session, item: HeldItem, now: datetime, actor: str, via: str,
                   by: str, id_number: str | None) -> None: ...

    def _by_code(self, s: Session, code: str, now: datetime) -> HeldItem | None:
        item = s.scalar(select(HeldItem).where(HeldItem.open_code == code))
        if item is not None:
            return item
        # Single use: a recently released code is "already collected", not "wrong".
        return s.scalar(select(HeldItem).where(
            HeldItem.code == code, HeldItem.state != "held",
            HeldItem.picked_up_at >= now - timedelta(days=QUARANTINE_DAYS))
            .order_by(HeldItem.picked_up_at.desc()).limit(1))

    def _kiosk_item(self, s: Session, kiosk: str, code: str, now: datetime) -> HeldItem:
        key = (*PICKUP_LOCK, kiosk)
        t = now.timestamp()
        state = self.lockout.check(key, t, s)
        if state.locked:
            s.add(PickupAttempt(at=now, channel="kiosk", actor=kiosk, outcome="locked"))
            raise self._locked(state.retry_after_s)
        item = self._by_code(s, code, now) if code.isdigit() and len(code) == 6 else None
        if item is None:
            after = self.lockout.fail(key, t, s)
            s.add(PickupAttempt(at=now, channel="kiosk", actor=kiosk,
                                outcome="locked" if after.locked else "wrong_code"))
            if after.locked:
                audit(s, now, kiosk, "pickup.locked", f"kiosk:{kiosk}",
                      f"{self.lockout.max_failures} wrong pickup codes: pickup locked "
                      f"for {int(after.retry_after_s)} s")
                raise self._locked(after.retry_after_s)
            raise NotFound("no item waits under this code: check the code in your message, or "
                           "ask at the desk", code="wrong_code", attempts_left=after.attempts_left)
        self.lockout.succeed(key, s)
        return item

    @staticmethod
    def _locked(retry_after_s: float) -> DomainError:
        secs = max(1, int(retry_after_s + 0.999))
        return Locked(f"too many wrong codes: pickup at this kiosk is locked for {secs} s; ask "
                      "at the desk", code="locked", headers={"Retry-After": str(secs)},
                      retry_after_s=secs)

    def _kiosk_refusal(self, s: Session, item: HeldItem, kiosk: str, now: datetime,
                       pieces: int | None, confirming: bool) -> None:
        facts = self._facts(s, item, now)
        verdict = release_allowed(facts, "kiosk", item.code,
                                  pieces if confirming else item.pieces, None)
        if verdict.ok:
            return
        s.add(PickupAttempt(at=now, channel="kiosk", actor=kiosk, item_id=item.id,
                            outcome=verdict.code))
        if verdict.code == "already_collected":
            raise Gone("this item was already collected", code="already_collected",
                       released_at=item.picked_up_at.isoformat() if item.picked_up_at else None)
        if verdict.code == "desk_only":
            raise Conflict("please collect this item at the service desk (ID needed, or the "
                           "flat's items are on vacation hold)", code="desk_only")
        raise Conflict(f"the register has {item.pieces} piece(s): "
                       "please ask at the desk", code="pieces_mismatch")

    def kiosk_lookup(self, kiosk: str, code: str) -> HeldItem:
        now = self.now()

        def run(s: Session) -> HeldItem:
            item = self._kiosk_item(s, kiosk, code, now)
            self._kiosk_refusal(s, item, kiosk, now, None, confirming=False)
            s.add(PickupAttempt(at=now, channel="kiosk", actor=kiosk, item_id=item.id,
                                outcome="found"))
            return item

        return self._tx(run)

    def kiosk_confirm(self, kiosk: str, code: str, pieces: int) -> HeldItem:
        now = self.now()

        def run(s: Session) -> HeldItem:
            item = self._kiosk_item(s, kiosk, code, now)
            self._kiosk_refusal(s, item, kiosk, now, pieces, confirming=True)
            self._close(s, item, now, kiosk, "kiosk", "pickup code holder", None)
            s.add(PickupAttempt(at=now, channel="kiosk", actor=kiosk, item_id=item.id,
                                outcome="released"))
            return item

        return self._tx(run)

    def kiosk_collect(self, kiosk: str, unit: str, item_id: int, pieces: int) -> HeldItem:
        """Release one of `unit`'s items to a resident logged in at `kiosk` with their card
        (the route checks how the session was opened); another flat's item is not found."""
        now = self.now()

        def run(s: Session) -> HeldItem:
            item = s.get(HeldItem, item_id)
            if item is None or item.unit != unit:
                raise NotFound(f"no item {item_id} for this flat", code="not_found")
            self._kiosk_refusal(s, item, kiosk, now, pieces, confirming=True)
            self._close(s, item, now, kiosk, "kiosk", CARD_COLLECTOR, None)
            s.add(PickupAttempt(at=now, channel="kiosk", actor=kiosk, item_id=item.id,
                                outcome="released"))
            return item

        return self._tx(run)
