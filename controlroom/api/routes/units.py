from __future__ import annotations

from fastapi import APIRouter, Request

from controlroom.alarms.schemas import UnitKeyPublic, UnitPublic
from controlroom.alarms.units import unit_view
from controlroom.api.deps import DevicesDep, UnitReader
from controlroom.core.errors import problems
from controlroom.services.residents.register import as_resident

router = APIRouter(prefix="/api/units", tags=["units"])


@router.get("/{unit}", response_model=UnitPublic,
            responses=problems(401, 403, 404, 422))
def read_unit(unit: str, request: Request, devices: DevicesDep, who: UnitReader) -> UnitPublic:
    """The flat with its devices' health and its residents. Operators, supervisors and
    administrators see residents' names and phones (audited); other roles see names masked
    (张*) and no phones. Residents come from the desk's register; the key in custody, if
    any, is shown to every reader (the gas plan enters with it)."""
    state = request.app.state
    residents = [as_resident(r) for r in state.register.living(unit)]
    # Staff only: where a flat's key is is nobody's business at a lobby kiosk.
    held = [k for k in state.custody.keys(unit)
            if k.state != "returned"] if who.role != "kiosk" else []
    key = UnitKeyPublic(label=held[0].label, state=held[0].state, holder=held[0].holder,
                        declaration_ref=held[0].declaration_ref) if held else None
    return unit_view(state.site, devices, unit, who.role, who.username, residents, key)
