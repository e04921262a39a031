"""Visitors: the desk registers them and sees who is expected; a resident announces one at the
kiosk (their own flat only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends

from controlroom.api.deps import DeskStaff, ItemId, ResidentDep, app_state
from controlroom.core.errors import problems
from controlroom.services.concierge.schemas import (
    VisitorAnnounceIn,
    VisitorIn,
    VisitorPublic,
    VisitorsOut,
    VisitorStepIn,
)
from controlroom.services.concierge.visitors import VisitorService

router = APIRouter(tags=["visitors"])
ERRORS = problems(401, 403, 404, 409, 422)


VisitorsDep = Annotated[VisitorService, Depends(app_state("visitors", VisitorService))]


@router.post("/api/visitors", response_model=VisitorPublic, status_code=201, responses=ERRORS)
def register_visitor(body: VisitorIn, svc: VisitorsDep, who: DeskStaff) -> VisitorPublic:
    return VisitorPublic.model_validate(svc.register(
        who.username, "desk", body.unit, body.name, body.expected_at, body.phone, body.purpose))


@router.get("/api/visitors", response_model=VisitorsOut, responses=ERRORS)
def read_visitors(svc: VisitorsDep, _: DeskStaff, day: date | None = None,
                  unit: str | None = None) -> VisitorsOut:
    """Who is expected on `day` (site time; today by default), by expected time."""
    return VisitorsOut(data=[VisitorPublic.model_validate(v) for v in svc.expected(day, unit)])


@router.post("/api/visitors/{visitor_id}", response_model=VisitorPublic, responses=ERRORS)
def move_visitor(visitor_id: ItemId, body: VisitorStepIn, svc: VisitorsDep, who: DeskStaff
                 ) -> VisitorPublic:
    """arrive (with the ID shown, last 4 kept), leave, or cancel."""
    return VisitorPublic.model_validate(svc.move(who.username, visitor_id, body.step,
                                                 body.id_number))


@router.post("/api/kiosk/visitors", response_model=VisitorPublic, status_code=201,
             responses=ERRORS)
def announce_visitor(body: VisitorAnnounceIn, svc: VisitorsDep, me: ResidentDep
                     ) -> VisitorPublic:
    """The logged-in resident announces a visitor to their flat; the desk sees them."""
    return VisitorPublic.model_validate(svc.register(
        f"kiosk:{me.kiosk}", "kiosk", me.unit, body.name, body.expected_at, "", body.purpose))


@router.get("/api/kiosk/visitors", response_model=VisitorsOut, responses=ERRORS)
def read_my_visitors(svc: VisitorsDep, me: ResidentDep) -> VisitorsOut:
    return VisitorsOut(data=[VisitorPublic.model_validate(v) for v in svc.upcoming(me.unit)])
