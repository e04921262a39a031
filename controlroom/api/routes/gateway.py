"""What the gateway sends: alert signals (idempotent by key), notes on open alerts (e.g. the
gas valve's confirmation) and device health."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ValidationError

from controlroom.alarms.schemas import (
    AlertNoteIn,
    AlertPublic,
    DeviceStatesIn,
    SignalBatchIn,
    SignalBatchItem,
    SignalBatchResult,
    SignalIn,
    SignalResult,
)
from controlroom.api.deps import AlertsDep, DevicesDep, GatewayCaller
from controlroom.core.errors import DomainError, problems, validation_detail

router = APIRouter(prefix="/api/gateway", tags=["gateway"], responses=problems(401, 403, 422))


@router.post("/signals", response_model=SignalResult)
def post_signal(sig: SignalIn, alerts: AlertsDep, _: GatewayCaller) -> SignalResult:
    applied = alerts.apply_signal(sig)
    return SignalResult(
        outcome=applied.outcome.value, duplicate=applied.duplicate,
        alert=AlertPublic.model_validate(applied.alert) if applied.alert else None,
    )


@router.post("/signals/batch", response_model=SignalBatchResult)
def post_signal_batch(body: SignalBatchIn, alerts: AlertsDep, _: GatewayCaller
                      ) -> SignalBatchResult:
    """Several signals in one request, applied in one transaction; a result per signal, in
    order, so one refused signal (422 in its result) never holds back the others."""
    items: list[SignalBatchItem | None] = []
    valid: list[SignalIn] = []
    for raw in body.signals:
        key = raw.get("key")
        try:
            valid.append(SignalIn.model_validate(raw))
            items.append(None)
        except ValidationError as exc:
            items.append(SignalBatchItem(key=key if isinstance(key, str) else None, status=422,
                                         detail=validation_detail(exc.errors())))
    applied = iter(alerts.apply_batch(valid))
    sigs = iter(valid)
    out = []
    for item in items:
        if item is not None:
            out.append(item)
            continue
        sig, r = next(sigs), next(applied)
        if isinstance(r, DomainError):
            out.append(SignalBatchItem(key=sig.key, status=r.status, detail=r.public_detail()))
        else:
            out.append(SignalBatchItem(
                key=sig.key, status=200, outcome=r.outcome.value, duplicate=r.duplicate,
                alert_id=r.alert.id if r.alert else None))
    return SignalBatchResult(results=out)


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
