"""Request and response bodies of the staff's service-request API (`/api/requests`), and
how a request is shown (`public`, `with_history`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from controlroom.core.typed_input import fold_input
from controlroom.services.requests.models import ServiceRequest
from controlroom.services.requests.service import promises_of
from controlroom.services.requests.wording import PROMISE_LABELS
from controlroom.services.residents.schemas import Categories


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Label(BaseModel):
    zh: str
    en: str


class Vocabulary(BaseModel):
    """How the kiosk and the console word a request (controlroom/services/requests/wording.py)."""

    states: dict[str, Label]
    types: dict[str, Label]
    next_steps: dict[str, Label]


class PromisePublic(BaseModel):
    name: str
    label_zh: str
    label_en: str
    due: datetime
    met_at: datetime | None
    escalated: bool


class RequestHistoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    actor: str
    action: str
    state: str
    note: str


class RequestPublic(BaseModel):
    id: int
    number: str
    unit: str
    building: str
    type: str
    severity: str
    valid: bool | None
    item: str | None
    category: str | None
    title_zh: str
    title_en: str
    description: str
    channel: str
    state: str
    owner: str | None
    department: str | None
    assignee: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    next_promise: str | None
    next_due: datetime | None
    overdue: bool
    escalated: list[str]
    promises: list[PromisePublic]
    ratings: dict[str, int] | None
    resident_confirmed: bool
    closed_at: datetime | None


class RequestWithHistory(RequestPublic):
    history: list[RequestHistoryPublic]


class RequestsPublic(BaseModel):
    data: list[RequestPublic]
    count: int


class MenuItemChoice(BaseModel):
    id: str
    menu: str
    name_zh: str
    name_en: str


class AssigneeChoice(BaseModel):
    username: str
    name: str
    role: str
    butler_for: list[str] = Field(description="buildings whose residents' requests they own")


class BuildingChoice(BaseModel):
    id: str
    name_zh: str
    name_en: str


class Choices(BaseModel):
    categories: Categories
    items: list[MenuItemChoice]
    assignees: list[AssigneeChoice]
    buildings: list[BuildingChoice]


def public(req: ServiceRequest) -> dict[str, Any]:
    promises, met = promises_of(req)
    ratings = None if req.rating_attitude is None else {
        "attitude": req.rating_attitude, "quality": req.rating_quality,
        "punctuality": req.rating_punctuality}
    return {
        **{k: getattr(req, k) for k in (
            "id", "number", "unit", "building", "type", "severity", "valid", "item", "category",
            "title_zh", "title_en", "description", "channel", "state", "owner", "department",
            "assignee", "created_by", "created_at", "updated_at", "next_promise", "next_due",
            "overdue", "resident_confirmed", "closed_at")},
        "escalated": list(req.escalated or []),
        "promises": [PromisePublic(name=p.name, label_zh=PROMISE_LABELS[p.name][0],
                                   label_en=PROMISE_LABELS[p.name][1], due=p.due,
                                   met_at=met.get(p.name),
                                   escalated=p.name in (req.escalated or []))
                     for p in sorted(promises, key=lambda p: p.due)],
        "ratings": ratings,
    }


def with_history(req: ServiceRequest) -> RequestWithHistory:
    return RequestWithHistory(**public(req),
                              history=[RequestHistoryPublic.model_validate(h) for h in req.history])


class CreateBody(Strict):
    # Folded as typed on a Chinese keyboard: "１－２－１５０２" is 1-2-1502 (typed_input.py).
    unit: Annotated[str, BeforeValidator(fold_input)] = Field(min_length=1, max_length=32,
                                                              examples=["1-2-1502"])
    type: Literal["repair", "urgent_repair", "complaint", "enquiry", "suggestion", "help",
                  "service_order", "assistance"]
    item: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=64)
    description: str = Field(default="", max_length=500)
    channel: Literal["desk", "phone"] = "desk"
    severity: Literal["ordinary", "serious"] = "ordinary"


class RequestNoteBody(Strict):
    note: str = Field(default="", max_length=2000)


class RequestAssignBody(RequestNoteBody):
    assignee: str = Field(min_length=1, max_length=64)
    department: str | None = Field(default=None, max_length=64)
    due_at: datetime | None = Field(default=None, description="the deadline for the work")


class ReturnVisitBody(RequestNoteBody):
    attitude: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    punctuality: int = Field(ge=1, le=5)


class CloseBody(RequestNoteBody):
    resident_confirmed: bool = False


class JudgeBody(RequestNoteBody):
    valid: bool
    serious: bool = False
