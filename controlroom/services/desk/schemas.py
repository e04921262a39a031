"""Request and response bodies of the desk API: held items, keys and lending."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
)

from controlroom.core.typed_input import fold_input
from controlroom.services.desk.intake import FLAGS

Kind = Literal["parcel", "deposit", "handover", "key"]
Flag = Literal[FLAGS]  # type: ignore[valid-type]
# Codes typed at the desk are folded first (typed_input.py): "１－２－１５０２" is 1-2-1502.
# A shelf is named with letters, digits, Chinese characters and "-", e.g. A-03 or A区03.
Folded = BeforeValidator(fold_input)
SHELF = r"^[A-Za-z0-9\u3400-\u4dbf\u4e00-\u9fff-]{1,16}$"
Location = Annotated[str, StringConstraints(pattern=SHELF), Folded]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=32), Folded]
Text200 = Annotated[str, StringConstraints(max_length=200)]


def mask_id(id_number: str | None) -> str | None:
    """An ID number is kept in full on the record, shown with only its last 4 characters."""
    if not id_number:
        return None
    return "*" * max(0, len(id_number) - 4) + id_number[-4:]


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Unit = Field(description="the flat, e.g. 1-2-1502")
    kind: Kind = "parcel"
    pieces: int = Field(default=1, ge=1, le=99)
    location: Location = Field(description="storage place on the shelves, e.g. A-03")
    carrier: Text200 = ""
    barcode: Annotated[str, StringConstraints(max_length=64)] = ""
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    condition: Annotated[str, StringConstraints(max_length=500)] = Field(
        default="", description="damage seen at intake, shown to the depositor")
    flags: list[Flag] = Field(default_factory=list,
                              description="what the desk sees or is told: refused categories")
    depositor: Text200 = Field(default="", description="hand-overs: who left it")
    depositor_phone: Annotated[str, StringConstraints(max_length=32)] = ""
    expected_pickup: date | None = None


class ItemPublic(BaseModel):
    """A held item as staff see it. Never the pickup code (it was shown once, at check-in)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    serial: str
    unit: str
    building: str
    kind: str
    state: str
    carrier: str
    barcode: str
    description: str
    pieces: int
    condition: str
    location: str
    depositor: str
    received_at: datetime
    received_by: str
    expected_pickup: date | None
    picked_up_at: datetime | None
    picked_up_by: str | None
    released_by: str | None
    released_via: str | None
    id_number: str | None = Field(description="masked: last 4 characters")
    reminded_at: datetime | None
    final_notice_at: datetime | None
    reported_at: datetime | None
    last_seen_at: datetime | None
    missing_since: datetime | None

    @classmethod
    def of(cls, item: object) -> ItemPublic:
        out = cls.model_validate(item)
        return out.model_copy(update={"id_number": mask_id(out.id_number)})


class Stub(BaseModel):
    """What is printed on the claim stub and the tag: the code appears here once only."""

    serial: str
    code: str
    unit: str
    kind: str
    pieces: int
    location: str
    received_at: datetime


class CheckInOut(BaseModel):
    item: ItemPublic
    code: str = Field(description="the pickup code, shown this once (claim stub)")
    stub: Stub
    warnings: list[dict[str, str]] = Field(description="what the desk must say, zh and en")


class ItemsOut(BaseModel):
    items: list[ItemPublic]
    count: int


class AuditPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    actor: str
    action: str
    detail: str


class AttemptPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    channel: str
    actor: str
    outcome: str


class ItemDetail(BaseModel):
    item: ItemPublic
    on_hold: bool
    history: list[AuditPublic]
    attempts: list[AttemptPublic] = Field(description="pickup tries at the kiosk and desk")


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pieces: int = Field(ge=1, le=99, description="re-counted with the collector")
    code: Annotated[str, StringConstraints(max_length=16), Folded] | None = Field(
        default=None, description="the claim stub's code (parcels and deposits)")
    id_number: Annotated[str, StringConstraints(max_length=32), Folded] | None = Field(
        default=None, description="the collector's ID number: hand-overs, keys, proxies")
    collector: Text200 | None = Field(default=None, description="the name on the ID")


class ReconcileIn(BaseModel):
    seen: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        description="serials of the items found on the shelves")


class ReconcileOut(BaseModel):
    checked: int
    missing: list[str]
    unexpected: list[str]
    clean: bool


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Unit
    ends_at: AwareDatetime | None = Field(default=None, description="empty: until ended")
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class HoldPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit: str
    starts_at: datetime
    ends_at: datetime | None
    note: str
    created_by: str


class SweepOut(BaseModel):
    sent: list[dict[str, str]]


# -- keys and lending ------------------------------------------------------------------------


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Unit
    label: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    declaration_ref: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="reference of the signed key custody declaration on file")
    declaration_signed_at: date
    purpose: Annotated[str, StringConstraints(max_length=500)] = ""
    signer_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=128)] = Field(
        description="who signed the declaration")
    signer_id_type: Literal["id_card", "passport", "permit", "other"] = Field(
        description="the ID the desk checked: resident ID card, passport, HK/Macau/Taiwan "
                    "permit, other")
    signer_id_last4: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{4}$")] = Field(
        description="the ID's last 4 characters only; the whole number is never stored")
    declaration_kind: Literal["scan", "drawn"] = Field(
        description="scan: the signed paper uploaded (JPEG/PNG/PDF); drawn: signed on screen")
    declaration_file: str = Field(
        description="the scan or the drawn signature as a data URL (data:<type>;base64,...), "
                    "at most 2 MiB")


class KeyMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    direction: Literal["out", "back", "returned"]
    to_whom: Text200 = ""
    why: Annotated[str, StringConstraints(max_length=500)] = ""


class KeyMovementPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    direction: str
    to_whom: str
    why: str
    by: str


class KeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit: str
    label: str
    declaration_ref: str
    declaration_signed_at: date
    purpose: str
    state: str
    holder: str | None
    taken_at: datetime
    taken_by: str
    signer_name: str
    signer_id_type: str
    signer_id_last4: str
    declaration_kind: str
    declaration_media_type: str


class KeyDetail(BaseModel):
    key: KeyPublic
    movements: list[KeyMovementPublic]


class LendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Unit
    item: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    quantity: int = Field(default=1, ge=1, le=20)
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class LentReturnIn(BaseModel):
    condition: Annotated[str, StringConstraints(max_length=500)] = ""


class LentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit: str
    item: str
    quantity: int
    lent_at: datetime
    lent_by: str
    note: str
    returned_at: datetime | None
    received_by: str | None
    return_condition: str
    followed_up_at: datetime | None


# -- fees --------------------------------------------------------------------------------------


# -- notices -----------------------------------------------------------------------------------


# -- fee accounts (answers) ------------------------------------------------------------------


# -- lists whose answer is a bare JSON array (or null): named, so the document has a model ----


class KeysOut(RootModel[list[KeyPublic]]):
    pass


class LentOut(RootModel[list[LentPublic]]):
    pass


class HoldOrNone(RootModel[HoldPublic | None]):
    """The flat's vacation hold, or null when there is none."""
