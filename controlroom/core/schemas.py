"""Bodies that belong to no domain: the sign-in token, health, the site, and the envelope of a
list answer."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    name: str
    butler_for: list[str] = Field(default_factory=list, description=(
        "a butler's buildings (site file `butler_for`): the console opens on their requests"))


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


_Row = TypeVar("_Row")


class DataList(BaseModel, Generic[_Row]):
    """A list answer, `{"data": [...]}`. Each use is a named subclass (`class WakeupsOut(
    DataList[WakeupPublic])`) so the OpenAPI document names it, not `DataList_WakeupPublic_`."""

    data: list[_Row]
