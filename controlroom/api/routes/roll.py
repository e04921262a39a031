"""The roll of a building's flats on an incident or fire (ticked flat by flat), and drills
with their step times (issue 17)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from controlroom.alarms.roll import RollEntry, RollService
from controlroom.api.deps import TEST_MANAGERS, AlertActor, AlertReader, require
from controlroom.core.errors import problems
from controlroom.core.security import TokenClaims

DrillManager = Annotated[TokenClaims, Depends(require(*TEST_MANAGERS))]


def _service(request: Request) -> RollService:
    state = request.app.state
    svc = getattr(state, "roll", None)
    if svc is None:
        svc = state.roll = RollService(state.sessions, state.site, state.alerts,
                                       state.test_mode, state.clock)
    return svc  # type: ignore[no-any-return]


RollDep = Annotated[RollService, Depends(_service)]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class RollEntryOut(BaseModel):
    unit: str
    floor: int
    reached: bool
    at: datetime | None
    by: str | None


class RollOut(BaseModel):
    alert_id: int
    building: str
    reached: int
    total: int
    flats: list[RollEntryOut]


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reached: bool = True


class DrillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    building: str
    kind: str = Field(default="incident", description="incident or fire")
    minutes: int = Field(default=60, ge=5, le=480)
    note: str = Field(default="", max_length=500)


class StepTimeOut(BaseModel):
    n: int
    en: str
    zh: str
    ticked_at: datetime | None
    ticked_by: str | None
    took_s: float | None = Field(description="from the previous ticked step (or the raise)")


class DrillOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    building: str
    kind: str
    alert_id: int
    window_id: int
    started_by: str
    started_at: datetime
    note: str


class DrillReportOut(DrillOut):
    state: str = Field(description="the drill alert's state")
    steps: list[StepTimeOut]
    roll_reached: int
    roll_total: int


class DrillsOut(BaseModel):
    data: list[DrillReportOut]


def _roll_out(alert_id: int, building: str, flats: list[RollEntry]) -> RollOut:
    return RollOut(alert_id=alert_id, building=building, reached=sum(f.reached for f in flats),
                   total=len(flats), flats=[RollEntryOut(**f.__dict__) for f in flats])


router = APIRouter(tags=["roll and drills"], responses=problems(401, 403, 404, 409, 422))


@router.get("/api/alerts/{alert_id}/roll", response_model=RollOut)
def read_roll(alert_id: AlertId, svc: RollDep, _: AlertReader) -> RollOut:
    """The building's flats, each reached or not (an incident's or a fire's evacuation)."""
    alert, flats = svc.roll(alert_id)
    return _roll_out(alert.id, alert.building or "", flats)


@router.post("/api/alerts/{alert_id}/roll/{unit}", response_model=RollOut)
def mark_roll(alert_id: AlertId, unit: str, body: MarkIn, svc: RollDep, who: AlertActor
              ) -> RollOut:
    alert, flats = svc.mark(alert_id, unit, body.reached, who.username)
    return _roll_out(alert.id, alert.building or "", flats)


def _report(svc: RollService, drill_id: int) -> DrillReportOut:
    drill, alert, steps, reached, total = svc.drill_report(drill_id)
    return DrillReportOut(**DrillOut.model_validate(drill).model_dump(), state=alert.state,
                          steps=[StepTimeOut(**st.__dict__) for st in steps],
                          roll_reached=reached, roll_total=total)


@router.post("/api/drills", response_model=DrillReportOut, status_code=201)
def start_drill(body: DrillIn, svc: RollDep, who: DrillManager) -> DrillReportOut:
    """A drill on a building: a test window on it and a test alert of `kind` whose plan the
    operators run; the report gives each step's time."""
    drill = svc.start_drill(body.building, body.kind, body.minutes, body.note, who.username)
    return _report(svc, drill.id)


@router.get("/api/drills", response_model=DrillsOut)
def read_drills(svc: RollDep, _: AlertReader) -> DrillsOut:
    return DrillsOut(data=[_report(svc, d.id) for d in svc.drills()])


@router.get("/api/drills/{drill_id}", response_model=DrillReportOut)
def read_drill(drill_id: AlertId, svc: RollDep, _: AlertReader) -> DrillReportOut:
    return _report(svc, drill_id)
