"""Request and response bodies of the alarm API (ARCHITECTURE §7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Cause = Literal["real", "false_alarm", "test", "device_fault", "other"]


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    name: str


class HistoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor: str
    action: str
    note: str


class AlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    priority: int
    state: str
    condition: str
    site: str
    building: str | None
    unit: str | None
    device: str | None
    raised_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    dispatched_at: datetime | None
    dispatched_to: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    cause: str | None
    occurrences: int
    escalation: int
    test: bool
    detail: dict[str, Any]


class AlertWithHistory(AlertPublic):
    history: list[HistoryPublic]


class AlertsPublic(BaseModel):
    data: list[AlertPublic]
    count: int = Field(description="how many alerts match; `data` holds at most the first 500")


class AckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=2000)


class DispatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(min_length=1, max_length=128, description="who was sent")
    note: str = Field(default="", max_length=2000)


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cause: Cause
    note: str = Field(default="", max_length=2000)


class SignalIn(BaseModel):
    """An alert signal from the gateway. `key` makes delivery idempotent."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=200)
    device: str
    kind: str = Field(min_length=1, max_length=32)
    priority: int = Field(ge=1, le=4)
    condition: Literal["active", "restored"]
    observed_at: datetime
    test: bool = False
    detail: dict[str, Any] = Field(default_factory=dict)


class SignalResult(BaseModel):
    outcome: str
    duplicate: bool
    alert: AlertPublic | None


class DeviceStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    online: bool | None = None
    last_seen: datetime | None = None
    battery: int | None = Field(default=None, ge=0, le=100)
    lel: float | None = Field(default=None, ge=0, le=100)


class DeviceStatesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    devices: list[DeviceStateIn] = Field(max_length=10_000)


class DevicePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    site: str
    building: str
    unit: str | None
    online: bool | None
    last_seen: datetime | None
    battery: int | None
    lel: float | None


class DevicesPublic(BaseModel):
    data: list[DevicePublic]
    count: int


class ErrorBody(BaseModel):
    """The one error shape: `{"detail": "what went wrong, in words a person can act on"}`."""

    detail: str | list[dict[str, Any]]


class TestWindowIn(BaseModel):
    """Put a device, flat or building on test."""

    model_config = ConfigDict(extra="forbid")
    scope: Literal["device", "unit", "building"]
    target: str = Field(min_length=1, max_length=64, description="device id, unit id or building")
    minutes: int = Field(ge=1, le=480, description="returns to service by itself after this")
    reason: str = Field(min_length=1, max_length=500)


class TestWindowPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    scope: str
    target: str
    reason: str
    started_by: str
    started_at: datetime
    ends_at: datetime
    ended_at: datetime | None


class TestWindowsPublic(BaseModel):
    data: list[TestWindowPublic]
    count: int


class WalkTestDevice(BaseModel):
    device: str
    unit: str
    kind: str
    reported: bool
    first_at: datetime | None
    signals: list[str]


class WalkTestReport(BaseModel):
    window: TestWindowPublic
    devices: int
    reported: int
    silent: list[str] = Field(description="devices that did not report: visit them")
    data: list[WalkTestDevice]
