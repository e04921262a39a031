"""Held items at the desk: check-in, the register, release, vacation holds, the daily
reconciliation and the reminders job (staff: frontdesk, supervisor, admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from controlroom.api.deps import DeskStaff, ItemId, ItemsDep
from controlroom.core.errors import problems
from controlroom.core.typed_input import fold_code
from controlroom.services.desk.intake import VALUABLES_WARNING
from controlroom.services.desk.schemas import (
    AttemptPublic,
    AuditPublic,
    CheckInIn,
    CheckInOut,
    HoldIn,
    HoldOrNone,
    HoldPublic,
    ItemDetail,
    ItemPublic,
    ItemsOut,
    ReconcileIn,
    ReconcileOut,
    ReleaseIn,
    Stub,
    SweepOut,
)

router = APIRouter(prefix="/api/items", tags=["held items"])
ERRORS = problems(401, 403, 404, 409, 410, 422)


@router.post("", response_model=CheckInOut, status_code=201, responses=ERRORS)
def check_in(body: CheckInIn, svc: ItemsDep, who: DeskStaff) -> CheckInOut:
    """Take an item in. Refused categories answer 422 `code: refused` with the reason in zh
    and en. The pickup code is in this answer only: print it on the claim stub now."""
    done = svc.check_in(who.username, **body.model_dump())
    item = done.item
    warnings = [VALUABLES_WARNING] if done.decision.warnings else []
    return CheckInOut(item=ItemPublic.of(item), code=done.code, warnings=warnings,
                      stub=Stub(serial=item.serial, code=done.code, unit=item.unit,
                                kind=item.kind, pieces=item.pieces, location=item.location,
                                received_at=item.received_at))


@router.get("", response_model=ItemsOut, responses=ERRORS)
def register(
    svc: ItemsDep, _: DeskStaff,
    state: Literal["held", "released", "all"] = "held",
    unit: str | None = None,
    kind: Literal["parcel", "deposit", "handover", "key"] | None = None,
    building: str | None = None,
    older_than_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    q: Annotated[str | None, Query(max_length=64, description="serial or barcode")] = None,
) -> ItemsOut:
    rows = svc.register(state=None if state == "all" else state,
                        unit=fold_code(unit) if unit else unit, kind=kind,
                        building=building, older_than_days=older_than_days, search=q)
    return ItemsOut(items=[ItemPublic.of(i) for i in rows], count=len(rows))


@router.get("/reconciliation", response_model=ItemsOut, responses=ERRORS)
def reconciliation_list(svc: ItemsDep, _: DeskStaff) -> ItemsOut:
    """Today's list to check against the shelves: every open item, by storage location."""
    rows = svc.reconciliation_list()
    return ItemsOut(items=[ItemPublic.of(i) for i in rows], count=len(rows))


@router.post("/reconciliation", response_model=ReconcileOut, responses=ERRORS)
def reconcile(body: ReconcileIn, svc: ItemsDep, who: DeskStaff) -> ReconcileOut:
    """Record what was found; anything missing is reported to the supervisor at once."""
    r = svc.reconcile(who.username, body.seen)
    return ReconcileOut(checked=r.checked, missing=list(r.missing),
                        unexpected=list(r.unexpected), clean=r.clean)


@router.post("/holds", response_model=HoldPublic, status_code=201, responses=ERRORS)
def start_hold(body: HoldIn, svc: ItemsDep, who: DeskStaff) -> HoldPublic:
    """Vacation hold: the flat's items stay at the desk and reminders pause."""
    return HoldPublic.model_validate(svc.hold(who.username, body.unit, body.ends_at, body.note))


@router.get("/holds/{unit}", response_model=HoldOrNone, responses=ERRORS)
def read_hold(unit: str, svc: ItemsDep, _: DeskStaff) -> HoldOrNone:
    h = svc.active_hold(unit)
    return HoldOrNone(HoldPublic.model_validate(h) if h else None)


@router.delete("/holds/{unit}", response_model=HoldPublic, responses=ERRORS)
def end_hold(unit: str, svc: ItemsDep, who: DeskStaff) -> HoldPublic:
    return HoldPublic.model_validate(svc.end_hold(who.username, unit))


@router.post("/reminders/run", response_model=SweepOut, responses=ERRORS)
def run_reminders(svc: ItemsDep, _: DeskStaff) -> SweepOut:
    """Send the reminders due now (the background job does this every minute anyway)."""
    return SweepOut(sent=[{"notice": n, "ref": r} for n, r in svc.sweep()])


@router.get("/{item_id}", response_model=ItemDetail, responses=ERRORS)
def read_item(item_id: ItemId, svc: ItemsDep, _: DeskStaff) -> ItemDetail:
    item = svc.get(item_id)
    return ItemDetail(item=ItemPublic.of(item), on_hold=svc.active_hold(item.unit) is not None,
                      history=[AuditPublic.model_validate(a) for a in svc.history(item_id)],
                      attempts=[AttemptPublic.model_validate(a) for a in svc.attempts(item_id)])


@router.post("/{item_id}/release", response_model=ItemPublic, responses=ERRORS)
def release(item_id: ItemId, body: ReleaseIn, svc: ItemsDep, who: DeskStaff) -> ItemPublic:
    """Release at the desk: a parcel or deposit against its code (the claim stub), or to the
    flat's resident or named emergency contact against an ID number; hand-overs and keys
    always against an ID number. Pieces are re-counted."""
    return ItemPublic.of(svc.release_at_desk(who.username, item_id, code=body.code,
                                             pieces=body.pieces, id_number=body.id_number,
                                             collector=body.collector))
