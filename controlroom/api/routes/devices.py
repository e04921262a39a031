from __future__ import annotations

from fastapi import APIRouter

from controlroom.alarms.schemas import DevicePublic, DevicesPublic
from controlroom.api.deps import AlertReader, DevicesDep
from controlroom.core.errors import problems

router = APIRouter(prefix="/api/devices", tags=["devices"])


@router.get("", response_model=DevicesPublic, responses=problems(401, 403, 422))
def read_devices(devices: DevicesDep, _: AlertReader, building: str | None = None,
                 unit: str | None = None) -> DevicesPublic:
    rows = devices.list(building=building, unit=unit)
    return DevicesPublic(data=[DevicePublic.model_validate(d) for d in rows], count=len(rows))
