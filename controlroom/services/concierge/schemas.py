"""Request and response bodies of lost and found, wake-up calls and bookings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from controlroom.core.schemas import DataList

Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class FoundItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    description: str
    place: str
    found_at: datetime
    found_by: str
    recorded_by: str
    storage: str
    has_photo: bool
    state: str
    claimed_at: datetime | None
    claimant: str | None
    claimant_unit: str | None
    claimant_id: str | None = Field(description="the ID shown, last 4 characters only")
    released_by: str | None


class FoundItemsOut(DataList[FoundItemPublic]):
    count: int


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claimant: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=128)]
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
    unit: Unit | None = None


class WakeupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Unit
    at: AwareDatetime
    phone: Annotated[str, StringConstraints(max_length=32)] = ""
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class WakeupPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit: str
    at: datetime
    state: str = Field(description="scheduled, answered, butler_sent or cancelled")
    attempts: int = Field(description="unanswered calls so far")
    last_attempt_at: datetime | None
    note: str


class WakeupsOut(DataList[WakeupPublic]):
    pass


class AttemptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answered: bool


class SlotPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    start: datetime
    end: datetime
    free: bool


class DayOut(BaseModel):
    service: str
    day: date
    slots: list[SlotPublic]


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: Annotated[str, StringConstraints(max_length=32)]
    start: AwareDatetime
    unit: Unit
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class BookingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    service: str
    start: datetime
    end: datetime
    unit: str
    state: str
    note: str


class BookingsOut(DataList[BookingPublic]):
    pass


class VisitorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Unit
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    expected_at: AwareDatetime
    phone: Annotated[str, StringConstraints(max_length=32)] = ""
    purpose: Annotated[str, StringConstraints(max_length=200)] = ""


class VisitorAnnounceIn(BaseModel):
    """At the kiosk: the flat is the logged-in resident's."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    expected_at: AwareDatetime
    purpose: Annotated[str, StringConstraints(max_length=200)] = ""


class VisitorStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: Literal["arrive", "leave", "cancel"]
    id_number: Annotated[str, StringConstraints(max_length=32)] = Field(
        default="", description="on arrival, the ID shown: only its last 4 are kept")


class VisitorPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit: str
    name: str
    purpose: str
    expected_at: datetime
    source: str = Field(description="desk or kiosk (announced by the resident)")
    state: str = Field(description="expected, arrived, left or cancelled")
    arrived_at: datetime | None
    id_last4: str | None
    left_at: datetime | None


class VisitorsOut(DataList[VisitorPublic]):
    pass
