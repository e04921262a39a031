"""Key figures for the control room's supervisors: the alarm-flood meter (ISA-18.2)."""

from __future__ import annotations

from fastapi import APIRouter

from controlroom.api.deps import AlertReader, AlertsDep
from controlroom.flood import FLOOD_THRESHOLD, FLOOD_WINDOW, flood_meter, history_start
from controlroom.schemas import ErrorBody, FloodBucket, FloodMeterPublic

router = APIRouter(prefix="/api/kpis", tags=["kpis"])
ERRORS: dict[int | str, dict] = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}}


@router.get("/flood", response_model=FloodMeterPublic, responses=ERRORS)
def read_flood(alerts: AlertsDep, _: AlertReader) -> FloodMeterPublic:
    now = alerts.now()
    meter = flood_meter(alerts.raised_times(history_start(now)), now)
    return FloodMeterPublic(
        window_minutes=int(FLOOD_WINDOW.total_seconds() // 60), current=meter.current,
        flood=meter.flood, threshold=FLOOD_THRESHOLD,
        buckets=[FloodBucket(start=b.start, end=b.end, count=b.count) for b in meter.buckets],
    )
