"""The monthly report's JSON body (the figures of monthly.MonthlyReport, defined there)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PromisePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    promise: str
    kept: int
    broken: int
    pending: int
    compliance: float | None


class AlarmClassPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    priority: int
    count: int
    within_30s: float | None
    within_60s: float | None


class MonthlyReportPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    month: str
    start: datetime
    end: datetime
    requests_total: int
    by_type: dict[str, int]
    by_building: dict[str, int]
    by_building_type: dict[str, dict[str, int]]
    sla: list[PromisePublic]
    overdue: list[str]
    complaints: dict[str, int]
    closed: int
    rated: int
    rating_avg: dict[str, float | None]
    return_visit_ratio: float | None
    items_received: dict[str, int]
    items_released: int
    items_held_at_end: int
    items_held_14d: int
    items_held_30d: int
    keys_taken: int
    keys_lent: int
    keys_in_custody: int
    alarms: list[AlarmClassPublic]
    alarms_total: int
    test_events_excluded: int


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(pattern=r"^\d{4}-H[12]$", description="YYYY-H1 or YYYY-H2")
    unit: str = Field(min_length=1, max_length=32)
    overall: int = Field(ge=1, le=5)
    attitude: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    punctuality: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class SurveySummaryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    period: str
    answers: int
    flats: int
    response_rate: float | None
    averages: dict[str, float | None]
    satisfied_share: float | None = Field(description="share answering 4 or 5 overall")
    comments: list[str]
