"""Request and response bodies of the alarm API (ARCHITECTURE §7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Re-exported: the one error shape lives in controlroom.errors.
from controlroom.errors import ErrorBody as ErrorBody

Cause = Literal["real", "false_alarm", "test", "device_fault", "other"]


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    name: str
    butler_for: list[str] = Field(default_factory=list, description=(
        "a butler's buildings (site file `butler_for`): the console opens on their requests"))


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
    count: int = Field(description="how many alerts match; `data` holds one page of them "
                                   "(`limit`, `offset`)")


class AckBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"note": "seen on camera"}]})
    note: str = Field(default="", max_length=2000)


class DispatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"to": "保安巡逻 张师傅", "note": "2 min away"}]})
    to: str = Field(min_length=1, max_length=128, description="who was sent")
    note: str = Field(default="", max_length=2000)


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"cause": "false_alarm", "note": "resident was cooking"}]})
    cause: Cause
    note: str = Field(default="", max_length=2000)


class SignalIn(BaseModel):
    """An alert signal from the gateway. `key` makes delivery idempotent."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "key": "gas-1-2-1502:17:204/gas_alarm", "device": "gas-1-2-1502", "kind": "gas_alarm",
        "priority": 1, "condition": "active", "observed_at": "2026-11-22T10:00:00Z",
        "detail": {"lel": 27.5}}]})
    key: str = Field(min_length=1, max_length=200)
    device: str
    kind: str = Field(min_length=1, max_length=32)
    priority: int = Field(ge=1, le=4)
    condition: Literal["active", "restored"]
    observed_at: datetime
    test: bool = False
    detail: dict[str, Any] = Field(default_factory=dict)
    zone: str | None = Field(default=None, pattern=r"^[0-9]{3}$",
                             description="a wired panel's Contact ID zone (device is the panel)")


class SignalResult(BaseModel):
    outcome: str
    duplicate: bool
    alert: AlertPublic | None


class AlertNoteIn(BaseModel):
    """A note from the gateway on the open alert of a device and kind, e.g. after it closed
    the flat's gas valve: `detail` is merged into the alert's detail."""

    model_config = ConfigDict(extra="forbid")
    device: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=32)
    note: str = Field(max_length=2000)
    detail: dict[str, Any] = Field(default_factory=dict, max_length=50,
                                   examples=[{"valve": "closed_confirmed"}])


class FloodBucket(BaseModel):
    start: datetime = Field(description="exclusive")
    end: datetime = Field(description="inclusive")
    count: int


class FloodMeterPublic(BaseModel):
    """Alerts raised (test events excluded) per 10 minutes; ISA-18.2 calls more than 10 per
    10 minutes per operator an alarm flood."""

    window_minutes: int
    current: int = Field(description="alerts raised in the last 10 minutes")
    flood: bool
    threshold: int = Field(description="more than this many in the window is a flood")
    buckets: list[FloodBucket] = Field(description="the last hour, oldest first; the last "
                                                   "bucket is the current window")


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


class TestWindowIn(BaseModel):
    """Put a device, flat or building on test."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"scope": "unit", "target": "1-2-1502", "minutes": 30,
                      "reason": "annual walk test"}]})
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


class NoteBody(BaseModel):
    """An operator's note on an alert."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"note": "住户电话未接通，已联系儿子"}]})
    note: str = Field(min_length=1, max_length=2000)


class AssignBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"to": "supervisor"}]})
    to: str = Field(min_length=1, max_length=64,
                    description="username of an active operator or supervisor")


class PlanStepPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    n: int = Field(description="1-based position in the plan")
    zh: str
    en: str
    ticked_at: datetime | None
    ticked_by: str | None


class PlanPublic(BaseModel):
    """The action plan for the alert's kind (site configuration) with each step's tick."""

    alert_id: int
    kind: str
    steps: list[PlanStepPublic] = Field(description="empty when the kind has no plan")
    done: int
    total: int


class EmergencyContactPublic(BaseModel):
    name: str
    phone: str | None
    relation: str


class ResidentPublic(BaseModel):
    name: str = Field(description="in full for operators, supervisors and admins; else 张*")
    phone: str | None = Field(description="only for operators, supervisors and admins")
    elderly_alone: bool | None
    emergency_contacts: list[EmergencyContactPublic]


class UnitPublic(BaseModel):
    """A flat: its devices with their health and its residents, shown by the caller's role."""

    unit: str
    building: str
    entrance: int
    floor: int
    devices: list[DevicePublic]
    residents: list[ResidentPublic]
    masked: bool = Field(description="true when names are masked and phones left out")


class HealthPublic(BaseModel):
    status: Literal["ok"]
    site: str


class SitePublic(BaseModel):
    """What the sign-in page shows before anyone is signed in."""

    id: str
    name_zh: str
    name_en: str
    hotline: str
    timezone: str = Field(description="the site's IANA time zone: every time a screen shows "
                          "is wall-clock time there", examples=["Asia/Shanghai"])
