"""What the gateway sends: alert signals (idempotent by key), notes on open alerts (e.g. the
gas valve's confirmation) and device health."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from controlroom.alarms.schemas import (
    AlertNoteIn,
    AlertPublic,
    DeviceStatesIn,
    SignalIn,
    SignalResult,
)
from controlroom.api.deps import AlertsDep, DevicesDep, GatewayCaller
from controlroom.core.errors import problems

router = APIRouter(prefix="/api/gateway", tags=["gateway"], responses=problems(401, 403, 422))


@router.post("/signals", response_model=SignalResult)
def post_signal(sig: SignalIn, alerts: AlertsDep, _: GatewayCaller) -> SignalResult:
    applied = alerts.apply_signal(sig)
    return SignalResult(
        outcome=applied.outcome.value, duplicate=applied.duplicate,
        alert=AlertPublic.model_validate(applied.alert) if applied.alert else None,
    )


@router.post("/alerts/note", response_model=AlertPublic, responses=problems(404))
def post_alert_note(body: AlertNoteIn, alerts: AlertsDep, who: GatewayCaller) -> AlertPublic:
    """Append a note to the open alert of a device and kind (history actor `gateway`), merging
    `detail` into the alert's detail; 404 if that device and kind has no open alert."""
    alert = alerts.note(body.device, body.kind, body.note, body.detail,
                        audit_actor=who.username)
    return AlertPublic.model_validate(alert)


class DeviceStatesResult(BaseModel):
    updated: int
    unknown: list[str]


@router.post("/devices", response_model=DeviceStatesResult)
def post_device_states(body: DeviceStatesIn, devices: DevicesDep, _: GatewayCaller
                       ) -> DeviceStatesResult:
    updated, unknown = devices.update(body.devices)
    return DeviceStatesResult(updated=updated, unknown=unknown)
