"""Request and response bodies of the notices API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

NoticeKind = Literal["general", "water", "power", "gas"]


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: NoticeKind = "general"
    building: Annotated[str, StringConstraints(max_length=8)] | None = Field(
        default=None, description="empty: site-wide")
    title_zh: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    title_en: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    body_zh: Annotated[str, StringConstraints(max_length=4000)] = ""
    body_en: Annotated[str, StringConstraints(max_length=4000)] = ""
    starts_at: AwareDatetime
    expires_at: AwareDatetime


class NoticePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: NoticeKind | None = None
    building: Annotated[str, StringConstraints(max_length=8)] | None = None
    title_zh: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    title_en: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    body_zh: Annotated[str, StringConstraints(max_length=4000)] | None = None
    body_en: Annotated[str, StringConstraints(max_length=4000)] | None = None
    starts_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None


class NoticePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    kind: str
    building: str | None
    starts_at: datetime
    expires_at: datetime


class NoticesOut(BaseModel):
    notices: list[NoticePublic]
