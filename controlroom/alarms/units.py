"""A flat as the control room shows it: devices with health and residents, by role.

Residents' personal data (PIPL, DOMAIN.md "Privacy and records"): operators, supervisors and
administrators see names and phones in full, and that disclosure is audited; every other role
sees names masked (张*) and no phones, contacts or household details.
"""

from __future__ import annotations

from collections.abc import Sequence

from config import Resident, Site
from config.privacy import mask_name
from controlroom.alarms.devices import DeviceService
from controlroom.alarms.schemas import (
    DevicePublic,
    EmergencyContactPublic,
    ResidentPublic,
    UnitKeyPublic,
    UnitPublic,
)
from controlroom.core import errors
from controlroom.core.clock import utcnow
from controlroom.core.models import AuditEntry

FULL_VIEW_ROLES = ("operator", "supervisor", "admin")
# Roles that may look a flat up at all (the gateway is a service, not a person).
UNIT_READERS = (*FULL_VIEW_ROLES, "frontdesk", "maintenance", "kiosk")


class UnknownUnit(errors.NotFound):
    pass


def _resident(r: Resident, full: bool) -> ResidentPublic:
    if not full:
        return ResidentPublic(name=mask_name(r.name), phone=None, elderly_alone=None,
                              emergency_contacts=[])
    return ResidentPublic(
        name=r.name, phone=r.phone, elderly_alone=r.elderly_alone,
        emergency_contacts=[EmergencyContactPublic(name=c.name, phone=c.phone,
                                                   relation=c.relation)
                            for c in r.emergency_contacts])


def unit_view(site: Site, devices: DeviceService, unit_id: str, role: str, actor: str,
              residents: Sequence[Resident] | None = None, key: UnitKeyPublic | None = None
              ) -> UnitPublic:
    """`residents`: the register's living residents of the flat (the site file's when not
    given); `key`: the flat's key in custody, if any."""
    unit = site.units.get(unit_id)
    if unit is None:
        raise UnknownUnit(f"no unit {unit_id!r} at site {site.id}")
    full = role in FULL_VIEW_ROLES
    if residents is None:
        residents = site.residents_of(unit_id)
    if full and residents:
        with devices.sessions() as s:
            s.add(AuditEntry(at=utcnow(), actor=actor, action="unit.residents_view",
                             target=f"unit:{unit_id}",
                             detail=f"{len(residents)} resident(s) shown in full"))
            s.commit()
    return UnitPublic(
        unit=unit.id, building=unit.building, entrance=unit.entrance, floor=unit.floor,
        devices=[DevicePublic.model_validate(d) for d in devices.list(unit=unit_id)],
        residents=[_resident(r, full) for r in residents],
        masked=not full,
        key=key,
    )
