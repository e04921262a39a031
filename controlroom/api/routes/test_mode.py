"""Test mode and the walk-test report (maintenance)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from controlroom.alarms.schemas import (
    TestWindowIn,
    TestWindowPublic,
    TestWindowsPublic,
    WalkTestDevice,
    WalkTestReport,
)
from controlroom.api.deps import AlertReader, AlertsDep, TestManager, TestModeDep
from controlroom.core.errors import MAX_ID, problems

router = APIRouter(prefix="/api/test-mode", tags=["test mode"],
                   responses=problems(401, 403, 422))
WindowId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("", response_model=TestWindowPublic, status_code=201)
def start_test(body: TestWindowIn, svc: TestModeDep, who: TestManager) -> TestWindowPublic:
    w = svc.start(body.scope, body.target, body.minutes, body.reason, who.username)
    return TestWindowPublic.model_validate(w)


@router.get("", response_model=TestWindowsPublic)
def read_tests(svc: TestModeDep, _: AlertReader, active: bool = True) -> TestWindowsPublic:
    rows = svc.list(active_only=active)
    return TestWindowsPublic(data=[TestWindowPublic.model_validate(w) for w in rows],
                             count=len(rows))


@router.post("/{window_id}/end", response_model=TestWindowPublic, responses=problems(404))
def end_test(window_id: WindowId, svc: TestModeDep, alerts: AlertsDep, who: TestManager
             ) -> TestWindowPublic:
    w, closed = svc.end(window_id, who.username)
    alerts.announce([a.id for a in closed])
    return TestWindowPublic.model_validate(w)


@router.get("/{window_id}/report", response_model=WalkTestReport, responses=problems(404))
def walk_test_report(
    window_id: WindowId, svc: TestModeDep, _: AlertReader,
    kind: Annotated[str | None, Query(description="only this device kind, e.g. panic_button")
                    ] = None,
) -> WalkTestReport:
    w, results = svc.report(window_id)
    results = [r for r in results if kind is None or r.kind == kind]
    data = [WalkTestDevice(device=r.device, unit=r.unit, kind=r.kind, reported=r.reported,
                           first_at=r.first_at, signals=list(r.signals)) for r in results]
    return WalkTestReport(window=TestWindowPublic.model_validate(w), devices=len(data),
                          reported=sum(d.reported for d in data),
                          silent=[d.device for d in data if not d.reported], data=data)
