"""Request and response bodies of the resident register (desk API, /api/residents)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
Language = Literal["zh", "en"]


class Contact(BaseModel):
    role: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    name: Name
    phone: Phone


class ResidentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit: str
    name: str
    phone: str
    phone2: str
    language: str
    elderly_alone: bool
    contacts: list[Contact]
    card: str | None
    has_pin: bool = Field(description="a PIN is set (the PIN itself is never shown)")
    pin_reset_pending: bool
    moved_in: date
    moved_out: date | None = Field(description="null while the resident lives there")
    source: str = Field(description="site (the site file), desk or import")


class ResidentsOut(BaseModel):
    data: list[ResidentPublic]
    count: int


class MoveInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    name: Name
    phone: Phone
    phone2: Phone = ""
    language: Language = "zh"
    elderly_alone: bool = False
    contacts: list[Contact] = Field(default_factory=list)
    card: Annotated[str, StringConstraints(max_length=32)] | None = None
    moved_in: date | None = None


class ResidentUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    phone: Phone | None = None
    phone2: Phone | None = None
    language: Language | None = None
    elderly_alone: bool | None = None
    contacts: list[Contact] | None = None


class MoveOutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: date | None = Field(default=None, description="the move-out day; today if absent")


class CardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    card: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=32)]


class PinResetOut(BaseModel):
    resident: ResidentPublic
    sent_to: str = Field(description="the phone the one-time code went to, masked")


class ChoosePinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=16)]
    pin: Annotated[str, StringConstraints(min_length=4, max_length=8, pattern=r"^[0-9]+$")]


class PinChosen(BaseModel):
    unit: str
    name_masked: str


class RefusedRow(BaseModel):
    row: int = Field(description="the row number in the file (the header is row 1)")
    reason: str


class ImportReport(BaseModel):
    dry_run: bool
    filename: str
    rows: int
    created: int
    updated: int
    unchanged: int
    refused: list[RefusedRow]
