"""The kiosk fleet: each lobby kiosk's heartbeat in, and the list for the console's device
health view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from controlroom.alarms.kiosk_fleet import Heartbeat, KioskFleet
from controlroom.api.deps import AlertReader, KioskCaller, app_state
from controlroom.core.errors import problems

router = APIRouter(tags=["kiosk fleet"], responses=problems(401, 403, 422))


FleetDep = Annotated[KioskFleet, Depends(app_state("kiosk_fleet", KioskFleet))]


class HeartbeatIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"version": "0.1.0", "uptime_s": 3600.5, "readers": {"card": "ok", "scanner": "none"},
         "last_error": ""}]})
    version: str = Field(max_length=64)
    uptime_s: float = Field(ge=0)
    readers: dict[Annotated[str, Field(max_length=32)],
                  Annotated[str, Field(max_length=64)]] = Field(default_factory=dict,
                                                                max_length=8)
    last_error: str = Field(default="", max_length=2000)


class HeartbeatOut(BaseModel):
    heartbeat_s: float  # when the control room expects the next one


class KioskPublic(BaseModel):
    id: str
    building: str
    name_zh: str
    name_en: str
    online: bool | None  # None: never heard from
    last_seen: datetime | None
    age_s: float | None
    version: str
    uptime_s: float | None
    readers: dict[str, str]
    last_error: str


class KiosksPublic(BaseModel):
    data: list[KioskPublic]
    count: int
    heartbeat_s: float


@router.post("/api/kiosk/heartbeat", response_model=HeartbeatOut)
def heartbeat(body: HeartbeatIn, fleet: FleetDep, kiosk: KioskCaller) -> HeartbeatOut:
    """The calling kiosk is alive: its version, uptime, readers' status and last error."""
    fleet.beat(kiosk.username, Heartbeat(body.version, body.uptime_s, dict(body.readers),
                                         body.last_error))
    return HeartbeatOut(heartbeat_s=fleet.heartbeat_s)


@router.get("/api/devices/kiosks", response_model=KiosksPublic)
def read_kiosks(fleet: FleetDep, _: AlertReader) -> KiosksPublic:
    """Every kiosk of the site: online, offline (silent past its window) or never heard."""
    rows = [KioskPublic(**k) for k in fleet.list()]
    return KiosksPublic(data=rows, count=len(rows), heartbeat_s=fleet.heartbeat_s)
