"""What the gateway sends: alert signals (idempotent by key), notes on open alerts (e.g. the
gas valve's confirmation) and device health."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from controlroom.alarms.schemas import (
    AlertNoteIn,
    AlertPublic,
    DeviceStatesIn,
    SignalIn,
    SignalResult,
)
from controlroom.alarms.service import NotFound, UnknownDevice
from controlroom.api.deps import AlertsDep, DevicesDep, GatewayCaller
from controlroom.core.errors import problems

router = APIRouter(prefix="/api/gateway", tags=["gateway"], responses=problems(401, 403, 422))


@router.post("/signals", response_model=SignalResult)
def post_signal(sig: SignalIn, alerts: AlertsDep, _: GatewayCaller) -> SignalResult:
    try:
        applied = alerts.apply_signal(sig)
    except UnknownDevice as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"{exc.field}: {exc}; register it in the site file first") from None
    return SignalResult(
        outcome=applied.outcome.value, duplicate=applied.duplicate,
        alert=AlertPublic.model_validate(applied.alert) if applied.alert else None,
    )


@router.post("/alerts/note", response_model=AlertPublic, responses=problems(404))
def post_alert_note(body: AlertNoteIn, alerts: AlertsDep, who: GatewayCaller) -> AlertPublic:
    """Append a note to the open alert of a device and kind (history actor `gateway`), merging
    `detail` into the alert's detail; 404 if that device and kind has no open alert."""
    try:
        alert = alerts.note(body.device, body.kind, body.note, body.detail,
                            audit_actor=who.username)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return AlertPublic.model_validate(alert)


class DeviceStatesResult(BaseModel):
    updated: int
    unknown: list[str]


@router.post("/devices", response_model=DeviceStatesResult)
def post_device_states(body: DeviceStatesIn, devices: DevicesDep, _: GatewayCaller
                       ) -> DeviceStatesResult:
    updated, unknown = devices.update(body.devices)
    return DeviceStatesResult(updated=updated, unknown=unknown)
