from __future__ import annotations

from fastapi import APIRouter

from controlroom.api.deps import AlertReader, DevicesDep
from controlroom.errors import problems
from controlroom.schemas import DevicePublic, DevicesPublic

router = APIRouter(prefix="/api/devices", tags=["devices"])


@router.get("", response_model=DevicesPublic, responses=problems(401, 403, 422))
def read_devices(devices: DevicesDep, _: AlertReader, building: str | None = None,
                 unit: str | None = None) -> DevicesPublic:
    rows = devices.list(building=building, unit=unit)
    return DevicesPublic(data=[DevicePublic.model_validate(d) for d in rows], count=len(rows))
