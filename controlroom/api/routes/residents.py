"""The resident register (desk): move-in and move-out, phones, language, emergency contacts,
the elderly-alone flag, cards, PIN resets, and imports from CSV or Excel with a dry run. Plus
the kiosk's one call of it: a resident chooses a new PIN with the desk's one-time code."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile

from config.privacy import mask_name
from controlroom.api.deps import DeskStaff, ItemId, KioskCaller, app_state
from controlroom.core.errors import Invalid, Locked, NotSignedIn, problems
from controlroom.core.notify import ResidentMessage
from controlroom.services.residents.importing import TableError, plan_import, read_table
from controlroom.services.residents.models import RegisteredResident
from controlroom.services.residents.register import RegisterService
from controlroom.services.residents.register_schemas import (
    CardIn,
    ChoosePinIn,
    Contact,
    ImportReport,
    MoveInIn,
    MoveOutIn,
    PinChosen,
    PinResetOut,
    ResidentPublic,
    ResidentsOut,
    ResidentUpdateIn,
)

router = APIRouter(tags=["residents"])
ERRORS = problems(401, 403, 404, 409, 422)
MAX_FILE = 10 * 1024 * 1024  # 2,000 residents are ~100 kB of Excel


RegisterDep = Annotated[RegisterService, Depends(app_state("register", RegisterService))]


def _public(r: RegisteredResident) -> ResidentPublic:
    return ResidentPublic(
        id=r.id, unit=r.unit, name=r.name, phone=r.phone, phone2=r.phone2, language=r.language,
        elderly_alone=r.elderly_alone,
        contacts=[Contact(**c) for c in r.contacts or []], card=r.card,
        has_pin=r.pin_hash is not None, pin_reset_pending=r.pin_reset_hash is not None,
        moved_in=r.moved_in, moved_out=r.moved_out, source=r.source)


@router.get("/api/residents", response_model=ResidentsOut, responses=ERRORS)
def read_residents(svc: RegisterDep, _: DeskStaff, unit: str | None = None,
                   q: Annotated[str | None, Query(max_length=64)] = None,
                   history: bool = False) -> ResidentsOut:
    """The living residents (with `history`, also those who moved out), by flat."""
    rows = [_public(r) for r in svc.living(unit, q, with_history=history)]
    return ResidentsOut(data=rows, count=len(rows))


@router.post("/api/residents", response_model=ResidentPublic, status_code=201,
             responses=ERRORS)
def move_in(body: MoveInIn, svc: RegisterDep, who: DeskStaff) -> ResidentPublic:
    """Register a move-in."""
    data = body.model_dump()
    data["contacts"] = [c.model_dump() for c in body.contacts]
    return _public(svc.move_in(who.username, **data))


@router.get("/api/residents/{resident_id}", response_model=ResidentPublic, responses=ERRORS)
def read_resident(resident_id: ItemId, svc: RegisterDep, _: DeskStaff) -> ResidentPublic:
    return _public(svc.get(resident_id))


@router.patch("/api/residents/{resident_id}", response_model=ResidentPublic, responses=ERRORS)
def update_resident(resident_id: ItemId, body: ResidentUpdateIn, svc: RegisterDep,
                    who: DeskStaff) -> ResidentPublic:
    """Phones, language, emergency contacts, the elderly-alone flag, the name."""
    changes = body.model_dump(exclude_none=True)
    return _public(svc.update(who.username, resident_id, **changes))


@router.post("/api/residents/{resident_id}/move-out", response_model=ResidentPublic,
             responses=ERRORS)
def move_out(resident_id: ItemId, body: MoveOutIn, svc: RegisterDep, who: DeskStaff
             ) -> ResidentPublic:
    """The resident leaves: the record stays as history; card and PIN stop working."""
    return _public(svc.move_out(who.username, resident_id, body.on))


@router.post("/api/residents/{resident_id}/card", response_model=ResidentPublic,
             responses=ERRORS)
def issue_card(resident_id: ItemId, body: CardIn, svc: RegisterDep, who: DeskStaff
               ) -> ResidentPublic:
    return _public(svc.issue_card(who.username, resident_id, body.card))


@router.post("/api/residents/{resident_id}/card-lost", response_model=ResidentPublic,
             responses=ERRORS)
def card_lost(resident_id: ItemId, svc: RegisterDep, who: DeskStaff) -> ResidentPublic:
    return _public(svc.card_lost(who.username, resident_id))


@router.post("/api/residents/{resident_id}/pin-reset", response_model=PinResetOut,
             responses=ERRORS)
def reset_pin(resident_id: ItemId, request: Request, svc: RegisterDep, who: DeskStaff
              ) -> PinResetOut:
    """The PIN stops working; a one-time code goes to the resident's phone, with which they
    choose a new PIN at the kiosk (POST /api/kiosk/pin) within 24 hours."""
    r, code = svc.reset_pin(who.username, resident_id)
    request.app.state.resident_notifier.tell_resident(ResidentMessage(
        r.unit, r.phone, r.language, f"{code} 是您重设自助终端密码的一次性验证码，24小时内有效。",
        f"{code} is your one-time code to choose a new kiosk PIN (24 hours).",
        "pin_reset_code", f"resident:{r.id}", secret=code, asked=True))
    masked = "*" * max(0, len(r.phone) - 4) + r.phone[-4:]
    return PinResetOut(resident=_public(r), sent_to=masked)


@router.post("/api/residents/import", response_model=ImportReport, responses=ERRORS)
async def import_residents(svc: RegisterDep, who: DeskStaff,
                           file: Annotated[UploadFile, File(description=".csv or .xlsx")],
                           dry_run: bool = True) -> ImportReport:
    """Import a CSV or Excel file (columns: see services/residents/importing.py). With
    `dry_run` (the default) nothing changes: the answer lists every row that would be refused
    and why, and how many would be new, changed or unchanged."""
    data = await file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise Invalid("file: larger than 10 MB", code="invalid")
    name = file.filename or "upload"
    try:
        rows = read_table(data, name)
    except TableError as exc:
        raise Invalid(f"file: {exc}", code="invalid_file") from None
    plan = plan_import(rows, svc.site.units, svc.existing())
    if not dry_run:
        svc.apply_import(who.username, plan, name)
    refused: list[dict[str, Any]] = [{"row": x.row, "reason": x.reason} for x in plan.refused]
    return ImportReport(dry_run=dry_run, filename=name, rows=len(rows),
                        created=len(plan.create), updated=len(plan.update),
                        unchanged=plan.unchanged, refused=refused)  # type: ignore[arg-type]


@router.post("/api/kiosk/pin", response_model=PinChosen, responses=problems(401, 403, 422, 429))
def choose_pin(body: ChoosePinIn, request: Request, svc: RegisterDep, caller: KioskCaller
               ) -> PinChosen:
    """At the kiosk: the flat, the one-time code the desk's PIN reset sent, and the new PIN."""
    lockout = request.app.state.pin_lockout
    key = ("pin-reset", caller.username, body.unit)
    now = request.app.state.clock().timestamp()
    state = lockout.check(key, now)
    if state.locked:
        raise Locked("too many wrong codes: ask at the front desk", code="locked",
                     retry_after_s=max(1, int(state.retry_after_s)))
    r = svc.choose_pin(body.unit, body.code, body.pin)
    if r is None:
        after = lockout.fail(key, now)
        raise NotSignedIn(f"the flat and code do not match: {after.attempts_left} tries left",
                          code="wrong_code", attempts_left=after.attempts_left)
    lockout.succeed(key)
    return PinChosen(unit=r.unit, name_masked=mask_name(r.name))
