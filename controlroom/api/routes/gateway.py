"""What the gateway sends: alert signals (idempotent by key) and device health."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from controlroom.alerts import UnknownDevice
from controlroom.api.deps import AlertsDep, DevicesDep, GatewayCaller
from controlroom.schemas import AlertPublic, DeviceStatesIn, ErrorBody, SignalIn, SignalResult

router = APIRouter(prefix="/api/gateway", tags=["gateway"])
ERRORS: dict[int | str, dict] = {401: {"model": ErrorBody}, 403: {"model": ErrorBody},
                                 422: {"model": ErrorBody}}


@router.post("/signals", response_model=SignalResult, responses=ERRORS)
def post_signal(sig: SignalIn, alerts: AlertsDep, _: GatewayCaller) -> SignalResult:
    try:
        applied = alerts.apply_signal(sig)
    except UnknownDevice as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return SignalResult(
        outcome=applied.outcome.value, duplicate=applied.duplicate,
        alert=AlertPublic.model_validate(applied.alert) if applied.alert else None,
    )


class DeviceStatesResult(BaseModel):
    updated: int
    unknown: list[str]


@router.post("/devices", response_model=DeviceStatesResult, responses=ERRORS)
def post_device_states(body: DeviceStatesIn, devices: DevicesDep, _: GatewayCaller
                       ) -> DeviceStatesResult:
    updated, unknown = devices.update(body.devices)
    return DeviceStatesResult(updated=updated, unknown=unknown)
