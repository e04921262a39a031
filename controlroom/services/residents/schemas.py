"""Response bodies of the lobby kiosk's API, as docs/api/kiosk.md shows them.

They describe the JSON the routes have always answered (the kiosk app is built against it):
times the routes format themselves stay strings, times they hand over as datetimes are
date-times, and what may be absent stays Optional.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, RootModel

# -- public ------------------------------------------------------------------------------------


class SiteRef(BaseModel):
    id: str
    name_zh: str
    name_en: str


class KioskRef(BaseModel):
    id: str
    building: str
    name_zh: str
    name_en: str


class EmergencyNumber(BaseModel):
    label_zh: str
    label_en: str
    phone: str


class IncidentBanner(BaseModel):
    """An open incident or priority-1 gas alarm in the kiosk's building: no flat, no name."""

    kind: str
    building: str
    raised_at: datetime
    message_zh: str
    message_en: str


class KioskInfo(BaseModel):
    site: SiteRef
    kiosk: KioskRef
    hotline: str
    emergency: list[EmergencyNumber] = Field(description="the estate hotline first")
    incident: IncidentBanner | None = Field(description="what the attract screen's banner "
                                                        "says; null when all is well")


class MenuItemPublic(BaseModel):
    id: str
    name_zh: str
    name_en: str
    department: str
    sla: str
    price: float | None = Field(description="yuan; null: free or quoted")
    quote: bool


class MenuPublic(BaseModel):
    id: str
    name_zh: str
    name_en: str
    note_zh: str
    note_en: str
    items: list[MenuItemPublic]


class Catalogue(BaseModel):
    menus: list[MenuPublic]


class RepairCategory(BaseModel):
    id: str
    name_zh: str
    name_en: str
    urgent: bool


class ComplaintCategory(BaseModel):
    id: str
    name_zh: str
    name_en: str


class Categories(BaseModel):
    repair: list[RepairCategory]
    complaint: list[ComplaintCategory]


# -- identification ----------------------------------------------------------------------------


class ResidentSessionOut(BaseModel):
    session: str = Field(description="the resident's session token for the next calls")
    unit: str
    name_masked: str
    expires_at: datetime
    idle_s: int


class CodeSent(BaseModel):
    """The same answer whether or not the flat exists: it tells nothing."""

    sent: bool


class SessionAnswer(RootModel[ResidentSessionOut | CodeSent]):
    """POST /api/kiosk/session: a session (201), or, for otp_request, that a code is on its
    way (202)."""


class Me(BaseModel):
    unit: str
    name_masked: str
    building: str
    balance: float = Field(description="yuan")
    arrears: float = Field(description="yuan")
    open_requests: int
    held_items: int


# -- the resident's requests -------------------------------------------------------------------


class TimelineStep(BaseModel):
    state: str
    at: datetime
    label_zh: str
    label_en: str


class KioskRequest(BaseModel):
    """A request as its resident sees it: no staff names."""

    id: int
    number: str
    type: str
    state: str
    title_zh: str
    title_en: str
    description: str
    created_at: datetime
    promised_by: datetime | None
    next_step_zh: str
    next_step_en: str
    timeline: list[TimelineStep]


class KioskRequests(BaseModel):
    requests: list[KioskRequest]


# -- pickup, held items ------------------------------------------------------------------------


class PickupItem(BaseModel):
    id: int
    serial: str
    kind: str
    pieces: int
    location: str
    unit_masked: str
    received_at: str = Field(description="ISO 8601")


class PickupLookup(BaseModel):
    item: PickupItem


class PickupDone(BaseModel):
    item: PickupItem
    released_at: str | None = Field(description="ISO 8601")


class ResidentItem(BaseModel):
    """Held for the flat. No pickup code."""

    id: int
    serial: str
    kind: str
    pieces: int
    carrier: str
    received_at: str = Field(description="ISO 8601")
    where: str = Field(description="desk or kiosk: where it can be collected")
    location: str = Field(default="", description="the shelf it waits on")


class ResidentItemDetail(ResidentItem):
    state: str
    collected_at: str | None = Field(description="ISO 8601")


class ResidentItems(BaseModel):
    items: list[ResidentItem]


class ResidentItemOut(BaseModel):
    item: ResidentItemDetail
