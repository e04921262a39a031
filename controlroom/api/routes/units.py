from __future__ import annotations

from fastapi import APIRouter, Request

from controlroom.alarms.schemas import UnitPublic
from controlroom.alarms.units import unit_view
from controlroom.api.deps import DevicesDep, UnitReader
from controlroom.core.errors import problems

router = APIRouter(prefix="/api/units", tags=["units"])


@router.get("/{unit}", response_model=UnitPublic,
            responses=problems(401, 403, 404, 422))
def read_unit(unit: str, request: Request, devices: DevicesDep, who: UnitReader) -> UnitPublic:
    """The flat with its devices' health and its residents. Operators, supervisors and
    administrators see residents' names and phones (audited); other roles see names masked
    (张*) and no phones."""
    return unit_view(request.app.state.site, devices, unit, who.role, who.username)
