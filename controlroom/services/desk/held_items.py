"""Held items at the desk: check-in, release at the desk and the kiosk, the register, vacation
holds, the daily reconciliation and the reminders job (DOMAIN.md "Held items and keys").

The decisions are the pure modules' (intake, pickup_codes, release_rules, reminders,
reconciliation); this service keeps the records, tells people and writes the audit log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config import Resident, Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.db import get_or_not_found
from controlroom.core.errors import Busy, Conflict, DomainError, Gone, Invalid, NotFound
from controlroom.core.models import AuditEntry
from controlroom.core.notify import ResidentMessage, ResidentNotifier
from controlroom.core.shared_lockout import SharedLockout
from controlroom.services.desk.intake import (
    INTAKE_KINDS,
    KEY_TO_CUSTODY,
    KINDS,
    IntakeDecision,
    intake_decision,
)
from controlroom.services.desk.models import HeldItem, PickupAttempt, VacationHold
from controlroom.services.desk.pickup import KioskPickup
from controlroom.services.desk.pickup_codes import QUARANTINE_DAYS, new_code
from controlroom.services.desk.reconciliation import Reconciliation, reconcile
from controlroom.services.desk.release_rules import DESK_ONLY_KINDS, ItemFacts, release_allowed
from controlroom.services.desk.reminders import Period
from controlroom.services.desk.reminding import KIND_WORDS, ReminderSweep

__all__ = ["CheckIn", "HeldItemService", "mask_unit"]

log = logging.getLogger(__name__)
NotifyRole = Callable[..., None]  # (role, subject, body, **Notifier.notify's keywords)


def mask_unit(unit: str) -> str:
    """1-2-1502 -> 1-2-15**: building and entrance stay (the kiosk is in the lobby), the flat
    number does not."""
    return unit[:-2] + "**" if len(unit) > 2 else "**"


@dataclass(frozen=True)
class CheckIn:
    item: HeldItem
    code: str  # shown once to the desk, for the claim stub
    decision: IntakeDecision


class HeldItemService(KioskPickup, ReminderSweep):
    def __init__(self, sessions: sessionmaker, site: Site, residents: ResidentNotifier,
                 notify_role: NotifyRole, now: Callable[[], datetime] = utcnow,
                 lockout: SharedLockout | None = None,
                 residents_of: Callable[[str], Sequence[Resident]] | None = None) -> None:
        self.sessions = sessions
        self.site = site
        # The flat's living residents: the desk's register (app.py), the site file's alone.
        self.residents_of = residents_of or site.residents_of
        self.residents = residents
        self.notify_role = notify_role
        self.now = now
        # 10 wrong codes at one kiosk within 2 min lock that kiosk's pickup for 2 min, counted
        # in the database: every replica sees the same count.
        self.lockout = lockout or SharedLockout(sessions, max_failures=10, window_s=120,
                                                lock_s=120)

    # -- check-in ------------------------------------------------------------------------------

    def check_in(self, actor: str, *, unit: str, kind: str, flags: Iterable[str] = (),
                 pieces: int = 1, location: str, carrier: str = "", barcode: str = "",
                 description: str = "", condition: str = "", depositor: str = "",
                 depositor_phone: str = "", expected_pickup: date | None = None) -> CheckIn:
        flags = list(flags)
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r} at this site (write it as "
                          "building-entrance-floorflat, e.g. 1-2-1502)", code="unknown_unit")
        if kind in KINDS and kind not in INTAKE_KINDS:  # a door key: key custody
            raise Invalid(KEY_TO_CUSTODY["en"], code="key_to_custody", page="keys",
                          reason_zh=KEY_TO_CUSTODY["zh"], reason_en=KEY_TO_CUSTODY["en"])
        try:
            decision = intake_decision(kind, flags)
        except ValueError as exc:
            raise Invalid(str(exc), code="invalid") from None
        now = self.now()
        if not decision.accepted:
            with self.sessions.begin() as s:
                audit(s, now, actor, "item.refused", f"unit:{unit}",
                      f"{kind} refused: {', '.join(decision.refused)}")
            raise Invalid(decision.reason_en, code="refused", refused=list(decision.refused),
                          reason_zh=decision.reason_zh, reason_en=decision.reason_en)
        for _ in range(5):  # a code drawn by two desks at once: the unique index says, retry
            try:
                with self.sessions.begin() as s:
                    code = new_code(self._taken_codes(s, now))
                    item = HeldItem(
                        serial=f"p-{uuid.uuid4().hex[:24]}", unit=unit,  # fits String(32)
                        building=self.site.units[unit].building, kind=kind, state="held",
                        carrier=carrier, barcode=barcode, description=description,
                        pieces=pieces, condition=condition, location=location,
                        depositor=depositor, depositor_phone=depositor_phone,
                        received_at=now, received_by=actor, expected_pickup=expected_pickup,
                        code=code, open_code=code)
                    s.add(item)
                    s.flush()
                    item.serial = f"{now:%y%m%d}-{item.id:05d}"
                    audit(s, now, actor, "item.check_in", f"held_item:{item.id}",
                          f"{kind} {item.serial} for {unit}, {pieces} piece(s) at "
                          f"{location}" + (f"; {carrier} {barcode}" if carrier else ""))
                    self._tell_arrival(s, item, code)  # recorded with the item, sent after
                break
            except IntegrityError:
                continue
        else:
            raise Busy("could not draw a free pickup code; try again", code="busy")
        return CheckIn(item, code, decision)

    def _taken_codes(self, s: Session, now: datetime) -> set[str]:
        since = now - timedelta(days=QUARANTINE_DAYS)
        rows = s.scalars(select(HeldItem.code).where(
            or_(HeldItem.state == "held", HeldItem.picked_up_at >= since)))
        return set(rows)

    def _tell_arrival(self, s: Session, item: HeldItem, code: str) -> None:
        zh, en = KIND_WORDS[item.kind]
        if item.kind in DESK_ONLY_KINDS:
            how_zh, how_en, secret = "请携带身份证件到服务前台领取", \
                "please bring your ID to the service desk", None
        else:
            how_zh = f"取件码 {code}，存放于 {item.location}，可在大堂自助终端或前台领取"
            how_en = f"pickup code {code}, shelf {item.location}, at the lobby kiosk or the desk"
            secret = code
        self._tell(s, item.unit, "held_item", f"held_item:{item.id}",
                   f"【{self.site.name_zh}】您有{zh} {item.pieces} 件已到（编号 {item.serial}），"
                   f"{how_zh}。",
                   f"[{self.site.name_en}] Your {en} ({item.pieces} piece(s), no. "
                   f"{item.serial}) has arrived: {how_en}.", secret)

    def _tell(self, s: Session, unit: str, kind: str, about: str, zh: str, en: str,
              secret: str | None = None) -> None:
        """Record a text message to each resident of the flat, in `s` (sent after commit)."""
        for r in self.residents_of(unit):
            self.residents.tell_resident(ResidentMessage(
                unit, r.phone, r.language, zh, en, kind, about, secret), s)

    def _notify(self, role: str, subject: str, body: str, **kw: Any) -> None:
        try:
            self.notify_role(role, subject, body, **kw)
        except Exception:
            log.exception("could not notify %s: %s", role, subject)

    # -- reading -------------------------------------------------------------------------------

    def get(self, item_id: int) -> HeldItem:
        with self.sessions() as s:
            item = get_or_not_found(s, HeldItem, item_id, "held item")
            return item

    def history(self, item_id: int) -> list[AuditEntry]:
        with self.sessions() as s:
            return list(s.scalars(select(AuditEntry).where(
                AuditEntry.target == f"held_item:{item_id}").order_by(AuditEntry.id)))

    def attempts(self, item_id: int) -> list[PickupAttempt]:
        with self.sessions() as s:
            return list(s.scalars(select(PickupAttempt).where(
                PickupAttempt.item_id == item_id).order_by(PickupAttempt.id)))

    def register(self, *, state: str | None = "held", unit: str | None = None,
                 kind: str | None = None, building: str | None = None,
                 older_than_days: int | None = None, search: str | None = None,
                 limit: int = 500) -> list[HeldItem]:
        q = select(HeldItem)
        if state:
            q = q.where(HeldItem.state == state)
        if unit:
            q = q.where(HeldItem.unit == unit)
        if kind:
            q = q.where(HeldItem.kind == kind)
        if building:
            q = q.where(HeldItem.building == building)
        if older_than_days is not None:
            q = q.where(HeldItem.received_at <= self.now() - timedelta(days=older_than_days))
        if search:
            like = f"%{search}%"
            q = q.where(or_(HeldItem.serial.like(like), HeldItem.barcode.like(like)))
        with self.sessions() as s:
            return list(s.scalars(q.order_by(HeldItem.received_at.desc(), HeldItem.id.desc())
                                  .limit(limit)))

    def open_items_of(self, unit: str) -> list[HeldItem]:
        return self.register(state="held", unit=unit)

    def item_of(self, unit: str, item_id: int) -> HeldItem:
        """A flat's own item; any other flat's is "not found" (it does not exist for them)."""
        with self.sessions() as s:
            item = s.get(HeldItem, item_id)
        if item is None or item.unit != unit:
            raise NotFound(f"no item {item_id} for this flat", code="not_found")
        return item

    def count_open(self, unit: str) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(HeldItem).where(
                HeldItem.unit == unit, HeldItem.state == "held")) or 0

    # -- vacation holds ------------------------------------------------------------------------

    def hold(self, actor: str, unit: str, ends_at: datetime | None, note: str) -> VacationHold:
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r}", code="unknown_unit")
        now = self.now()
        if ends_at is not None and ends_at <= now:
            raise Invalid("ends_at: the hold must end in the future", code="invalid")
        with self.sessions.begin() as s:
            if self._active_hold(s, unit, now) is not None:
                raise Conflict(f"{unit} is already on vacation hold; "
                               "end that hold first", code="already_on_hold")
            h = VacationHold(unit=unit, starts_at=now, ends_at=ends_at, note=note,
                             created_by=actor)
            s.add(h)
            s.flush()
            audit(s, now, actor, "item.hold", f"unit:{unit}",
                  f"vacation hold until {ends_at.isoformat() if ends_at else 'ended'}"
                  f"{': ' + note if note else ''}")
            return h

    def end_hold(self, actor: str, unit: str) -> VacationHold:
        now = self.now()
        with self.sessions.begin() as s:
            h = self._active_hold(s, unit, now)
            if h is None:
                raise NotFound(f"{unit} is not on vacation hold", code="not_found")
            h.ends_at = now
            audit(s, now, actor, "item.hold_end", f"unit:{unit}", "vacation hold ended")
            return h

    def active_hold(self, unit: str) -> VacationHold | None:
        with self.sessions() as s:
            return self._active_hold(s, unit, self.now())

    @staticmethod
    def _active_hold(s: Session, unit: str, now: datetime) -> VacationHold | None:
        return s.scalar(select(VacationHold).where(
            VacationHold.unit == unit, VacationHold.starts_at <= now,
            or_(VacationHold.ends_at.is_(None), VacationHold.ends_at > now)))

    def _holds(self, s: Session, unit: str) -> list[Period]:
        return [Period(h.starts_at, h.ends_at) for h in s.scalars(
            select(VacationHold).where(VacationHold.unit == unit))]

    # -- release -------------------------------------------------------------------------------

    def _facts(self, s: Session, item: HeldItem, now: datetime) -> ItemFacts:
        return ItemFacts(kind=item.kind, pieces=item.pieces, code=item.code,
                         released=item.state != "held",
                         on_hold=self._active_hold(s, item.unit, now) is not None)

    def _entitled(self, unit: str) -> list[str]:
        names = []
        for r in self.residents_of(unit):
            names.append(r.name)
            names += [c.name for c in r.emergency_contacts]
        return names

    def release_at_desk(self, actor: str, item_id: int, *, code: str | None,
                        pieces: int | None, id_number: str | None, collector: str | None
                        ) -> HeldItem:
        now = self.now()

        def run(s: Session) -> HeldItem:
            item = get_or_not_found(s, HeldItem, item_id, "held item")
            verdict = release_allowed(self._facts(s, item, now), "desk", code or None, pieces,
                                      id_number, collector, self._entitled(item.unit))
            if not verdict.ok:
                s.add(PickupAttempt(at=now, channel="desk", actor=actor, item_id=item.id,
                                    outcome=verdict.code))
                refusal: type[DomainError] = {"already_collected": Gone, "on_hold": Conflict,
                                              "pieces_mismatch": Conflict}.get(verdict.code,
                                                                               Invalid)
                extra: dict[str, Any] = {}
                if verdict.code == "already_collected" and item.picked_up_at:
                    extra["released_at"] = item.picked_up_at.isoformat()
                if verdict.code in ("id_required", "not_entitled"):
                    audit(s, now, actor, "item.release_refused", f"held_item:{item.id}",
                          verdict.code)
                raise refusal(verdict.reason, code=verdict.code, **extra)
            by = collector or ("claim stub holder" if code else "")
            self._close(s, item, now, actor, "desk", by, id_number)
            s.add(PickupAttempt(at=now, channel="desk", actor=actor, item_id=item.id,
                                outcome="released"))
            return item

        return self._tx(run)

    def _tx(self, run: Callable[[Session], HeldItem]) -> HeldItem:
        """Run in one transaction that is committed even when the answer is a refusal, so
        the attempts and their audit entries are kept."""
        problem: DomainError | None = None
        with self.sessions.begin() as s:
            try:
                result = run(s)
            except DomainError as exc:
                problem = exc
        if problem is not None:
            raise problem
        return result

    def _close(self, s: Session, item: HeldItem, now: datetime, actor: str, via: str,
               by: str, id_number: str | None) -> None:
        # Conditional on still being held: two releases racing close it once.
        done = s.execute(update(HeldItem).where(HeldItem.id == item.id,
                                                HeldItem.state == "held").values(
            state="released", open_code=None, picked_up_at=now, picked_up_by=by,
            released_by=actor, released_via=via, id_number=id_number or None))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Gone("this item was already collected", code="already_collected")
        s.refresh(item)
        audit(s, now, actor, "item.release", f"held_item:{item.id}",
              f"{item.serial} released at the {via}"
              + (f" to {by}" if by else "") + (" (ID recorded)" if id_number else ""))

    # -- reconciliation ------------------------------------------------------------------------

    def reconciliation_list(self) -> list[HeldItem]:
        with self.sessions() as s:
            return list(s.scalars(select(HeldItem).where(HeldItem.state == "held")
                                  .order_by(HeldItem.location, HeldItem.serial)))

    def reconcile(self, actor: str, seen: Iterable[str]) -> Reconciliation:
        now = self.now()
        seen = list(seen)
        with self.sessions.begin() as s:
            items = list(s.scalars(select(HeldItem).where(HeldItem.state == "held")))
            result = reconcile([i.serial for i in items], seen)
            missing = set(result.missing)
            for i in items:
                if i.serial in missing:
                    i.missing_since = i.missing_since or now
                else:
                    i.last_seen_at, i.missing_since = now, None
            audit(s, now, actor, "item.reconcile", "held_items",
                  f"checked {result.checked}: missing {', '.join(result.missing) or '-'};"
                  f" unexpected {', '.join(result.unexpected) or '-'}")
            lost = [i for i in items if i.serial in missing]
        if lost:
            self._notify(
                "supervisor", f"Held items missing at reconciliation ({len(lost)})",
                "; ".join(f"{i.serial} {i.kind} for {i.unit} at {i.location}" for i in lost)
                + f" — reconciled by {actor} at {now:%Y-%m-%d %H:%M} UTC")
        return result
