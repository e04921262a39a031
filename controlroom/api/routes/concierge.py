"""Lost and found, wake-up calls and bookable services (the desk)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from controlroom.api.deps import DeskStaff, ItemId, app_state
from controlroom.core.errors import Invalid, problems
from controlroom.services.concierge.bookings import BookingService
from controlroom.services.concierge.lost_found import MAX_PHOTO, LostFoundService
from controlroom.services.concierge.models import FoundItem
from controlroom.services.concierge.schemas import (
    AttemptIn,
    BookingIn,
    BookingPublic,
    BookingsOut,
    ClaimIn,
    DayOut,
    FoundItemPublic,
    FoundItemsOut,
    SlotPublic,
    WakeupIn,
    WakeupPublic,
    WakeupsOut,
)
from controlroom.services.concierge.wakeup import WakeupService

router = APIRouter(tags=["concierge"])
ERRORS = problems(401, 403, 404, 409, 410, 422)


LostDep = Annotated[LostFoundService, Depends(app_state("lost_found", LostFoundService))]
WakeupDep = Annotated[WakeupService, Depends(app_state("wakeups", WakeupService))]
BookingDep = Annotated[BookingService, Depends(app_state("bookings", BookingService))]


def _found(i: FoundItem, has_photo: bool) -> FoundItemPublic:
    return FoundItemPublic(
        id=i.id, description=i.description, place=i.place, found_at=i.found_at,
        found_by=i.found_by, recorded_by=i.recorded_by, storage=i.storage,
        has_photo=has_photo, state=i.state, claimed_at=i.claimed_at, claimant=i.claimant,
        claimant_unit=i.claimant_unit, released_by=i.released_by,
        claimant_id=("*" * (len(i.claimant_id_number) - 4) + i.claimant_id_number[-4:])
        if i.claimant_id_number else None)


# -- lost and found ---------------------------------------------------------------------------


@router.post("/api/lost-found", response_model=FoundItemPublic, status_code=201,
             responses=ERRORS)
async def record_found_item(
        svc: LostDep, who: DeskStaff,
        description: Annotated[str, Form(max_length=500)],
        place: Annotated[str, Form(max_length=128, description="where it was found")],
        found_by: Annotated[str, Form(max_length=128)] = "",
        storage: Annotated[str, Form(max_length=32)] = "",
        found_at: Annotated[datetime | None, Form()] = None,
        photo: Annotated[UploadFile | None, File(description="JPEG, PNG or WebP")] = None,
) -> FoundItemPublic:
    data = await photo.read(MAX_PHOTO + 1) if photo is not None else None
    if found_at is not None and found_at.tzinfo is None:
        raise Invalid("found_at: give a time with its offset, e.g. +08:00", code="invalid")
    item = svc.record(who.username, description, place, found_by, storage, found_at, data)
    return _found(item, bool(data))


@router.get("/api/lost-found", response_model=FoundItemsOut, responses=ERRORS)
def read_found_items(svc: LostDep, _: DeskStaff, state: str | None = "held") -> FoundItemsOut:
    """Found items (state held, claimed, or empty for all), newest first."""
    items = svc.items(state or None)
    with_photo = {i.id for i in items if i.photo_type}
    return FoundItemsOut(data=[_found(i, i.id in with_photo) for i in items], count=len(items))


# Not in the OpenAPI document (it admits JSON, SSE and CSV bodies only: test_openapi.py).
@router.get("/api/lost-found/{item_id}/photo", response_class=Response, include_in_schema=False)
def read_found_photo(item_id: ItemId, svc: LostDep, _: DeskStaff) -> Response:
    data, kind = svc.photo(item_id)
    return Response(data, media_type=kind, headers={"Cache-Control": "private, max-age=300"})


@router.post("/api/lost-found/{item_id}/claim", response_model=FoundItemPublic,
             responses=ERRORS)
def claim_found_item(item_id: ItemId, body: ClaimIn, svc: LostDep, who: DeskStaff
                     ) -> FoundItemPublic:
    """Hand the item over against the claimant's ID (its number recorded)."""
    item = svc.claim(who.username, item_id, body.claimant, body.id_number, body.unit)
    return _found(item, item.photo_type is not None)


# -- wake-up calls ----------------------------------------------------------------------------


@router.post("/api/wakeups", response_model=WakeupPublic, status_code=201, responses=ERRORS)
def book_wakeup(body: WakeupIn, svc: WakeupDep, who: DeskStaff) -> WakeupPublic:
    return WakeupPublic.model_validate(svc.book(who.username, body.unit, body.at, body.phone,
                                                body.note))


@router.get("/api/wakeups", response_model=WakeupsOut, responses=ERRORS)
def read_wakeups(svc: WakeupDep, _: DeskStaff, open_only: bool = True) -> WakeupsOut:
    return WakeupsOut(data=[WakeupPublic.model_validate(c) for c in svc.calls(open_only)])


@router.post("/api/wakeups/{call_id}/attempts", response_model=WakeupPublic, responses=ERRORS)
def record_wakeup_attempt(call_id: ItemId, body: AttemptIn, svc: WakeupDep, who: DeskStaff
                          ) -> WakeupPublic:
    """The desk called the flat: answered or not. After the second unanswered call a butler
    is sent to the door."""
    return WakeupPublic.model_validate(svc.attempt(who.username, call_id, body.answered))


@router.post("/api/wakeups/{call_id}/cancel", response_model=WakeupPublic, responses=ERRORS)
def cancel_wakeup(call_id: ItemId, svc: WakeupDep, who: DeskStaff) -> WakeupPublic:
    return WakeupPublic.model_validate(svc.cancel(who.username, call_id))


# -- bookings ---------------------------------------------------------------------------------


@router.get("/api/bookings/slots", response_model=DayOut, responses=ERRORS)
def read_slots(service: str, day: date, svc: BookingDep, _: DeskStaff) -> DayOut:
    return DayOut(service=service, day=day,
                  slots=[SlotPublic.model_validate(s) for s in svc.day(service, day)])


@router.post("/api/bookings", response_model=BookingPublic, status_code=201, responses=ERRORS)
def book_slot(body: BookingIn, svc: BookingDep, who: DeskStaff) -> BookingPublic:
    """Book a slot for a flat; a slot already booked is a 409 (code slot_taken)."""
    return BookingPublic.model_validate(svc.book(who.username, body.service, body.start,
                                                 body.unit, body.note))


@router.get("/api/bookings", response_model=BookingsOut, responses=ERRORS)
def read_bookings(svc: BookingDep, _: DeskStaff, unit: str | None = None) -> BookingsOut:
    return BookingsOut(data=[BookingPublic.model_validate(b) for b in svc.bookings(unit)])


@router.post("/api/bookings/{booking_id}/cancel", response_model=BookingPublic,
             responses=ERRORS)
def cancel_booking(booking_id: ItemId, svc: BookingDep, who: DeskStaff) -> BookingPublic:
    return BookingPublic.model_validate(svc.cancel(who.username, booking_id))
