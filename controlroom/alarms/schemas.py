"""Request and response bodies of the alarm API (ARCHITECTURE §7), the devices and flats it
shows, and the key figures (`/api/kpis`, defined in controlroom/alarms/kpis.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Cause = Literal["real", "false_alarm", "test", "device_fault", "other"]


class AlertHistoryPublic(BaseModel):
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
    history: list[AlertHistoryPublic]


class AlertsPublic(BaseModel):
    data: list[AlertPublic]
    count: int = Field(description="how many alerts match; `data` holds one page of them "
                                   "(`limit`, `offset`)")


class AckBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"note": "seen on camera"}]})
    note: str = Field(default="", max_length=2000)


class GroupAckBody(BaseModel):
    """Which alerts: a building's (not resolved, no test events), a building incident and the
    alarms linked to it, or a list of ids — exactly one of them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"building": "3", "note": "gas riser, whole building"}]})
    building: str | None = Field(default=None, min_length=1, max_length=64)
    incident: int | None = Field(default=None, ge=1, le=2**62)
    alert_ids: list[Annotated[int, Field(ge=1, le=2**62)]] | None = Field(
        default=None, min_length=1, max_length=5000)
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _one_group(self) -> GroupAckBody:
        given = [x for x in (self.building, self.incident, self.alert_ids) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of building, incident, alert_ids")
        return self


class GroupResolveOfflineBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"building": "2", "note": "power back after the cut"}]})
    building: str = Field(min_length=1, max_length=64)
    cause: Cause = "other"
    note: str = Field(default="", max_length=2000)


class GroupSkipped(BaseModel):
    id: int
    state: str = Field(description="the alert's state, empty if there is no such alert")
    reason: str


class GroupOutcomePublic(BaseModel):
    changed: list[int] = Field(description="ids of the alerts changed, each audited on its own")
    count: int
    skipped: list[GroupSkipped] = Field(description="alerts whose state did not allow it")


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


class SignalBatchIn(BaseModel):
    """Signals the gateway had queued, most urgent first, applied together. Each signal is
    checked on its own: one that is not a valid signal gets its own refusal in the results
    and the rest are applied."""

    model_config = ConfigDict(extra="forbid")
    signals: list[dict[str, Any]] = Field(min_length=1, max_length=500,
                                          description="each one a signal as for /signals")


class SignalBatchItem(BaseModel):
    """The result of one signal of a batch, in the batch's order: `status` 200 (applied, or
    a duplicate already applied) with its outcome and the id of the alert it touched (the
    alert itself is on the stream), or 422 with `detail`."""

    key: str | None
    status: int
    outcome: str | None = None
    duplicate: bool = False
    alert_id: int | None = None
    detail: str | None = None


class SignalBatchResult(BaseModel):
    results: list[SignalBatchItem]


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


class AlertNoteBody(BaseModel):
    """An operator's note on an alert."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"note": "住户电话未接通，已联系儿子"}]})
    note: str = Field(min_length=1, max_length=2000)


class AlertAssignBody(BaseModel):
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


class UnitKeyPublic(BaseModel):
    """The flat's door key in custody: where it is now."""

    label: str
    state: str = Field(description="in (at the desk) or out (lent: see holder)")
    holder: str | None
    declaration_ref: str


class UnitPublic(BaseModel):
    """A flat: its devices with their health and its residents, shown by the caller's role."""

    unit: str
    building: str
    entrance: int
    floor: int
    devices: list[DevicePublic]
    residents: list[ResidentPublic]
    masked: bool = Field(description="true when names are masked and phones left out")
    key: UnitKeyPublic | None = Field(default=None, description="the flat's door key in the "
                                      "desk's custody, if any (gas plan step 4: entry with "
                                      "the key from custody)")

