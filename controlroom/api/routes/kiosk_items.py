"""The kiosk's calls for notices, pickup, held items and fees (docs/api/kiosk.md).

Pickup needs only the kiosk's bearer: the code is the credential. Items and fees are the
logged-in resident's own flat; another flat's item is "not found". A resident logged in with
their card may collect the flat's items without the code (`collect`): the card is the
credential then, so a PIN or one-time-code session may not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field, StringConstraints

from controlroom.api.deps import FeesDep, ItemsDep, KioskCaller, NoticesDep, ResidentDep
from controlroom.core.errors import MAX_ID, Forbidden, problems
from controlroom.services.desk.held_items import mask_unit
from controlroom.services.desk.models import HeldItem
from controlroom.services.desk.release_rules import DESK_ONLY_KINDS
from controlroom.services.fees.schemas import AccountPublic
from controlroom.services.notices.schemas import NoticePublic, NoticesOut
from controlroom.services.residents.schemas import (
    PickupDone,
    PickupLookup,
    ResidentItemOut,
    ResidentItems,
)

router = APIRouter(prefix="/api/kiosk", tags=["kiosk"])
ERRORS = problems(401, 403, 404, 409, 410, 422, 429)
Code = Annotated[str, StringConstraints(min_length=1, max_length=16)]


class LookupIn(BaseModel):
    code: Code


class ConfirmIn(BaseModel):
    code: Code
    pieces: int = Field(ge=1, le=99)


class CollectIn(BaseModel):
    pieces: int = Field(ge=1, le=99)


def _pickup_item(i: HeldItem) -> dict[str, Any]:
    return {"id": i.id, "serial": i.serial, "kind": i.kind, "pieces": i.pieces,
            "location": i.location, "unit_masked": mask_unit(i.unit),
            "received_at": i.received_at.isoformat()}


def _resident_item(i: HeldItem) -> dict[str, Any]:
    return {"id": i.id, "serial": i.serial, "kind": i.kind, "pieces": i.pieces,
            "carrier": i.carrier, "received_at": i.received_at.isoformat(),
            "where": "desk" if i.kind in DESK_ONLY_KINDS else "kiosk", "location": i.location}


@router.get("/notices", response_model=NoticesOut, responses=ERRORS)
def notices(request: Request, kiosk: KioskCaller,
            svc: NoticesDep) -> NoticesOut:
    """Notices in force now for this kiosk's building and site-wide, newest first."""
    k = request.app.state.site.kiosks.get(kiosk.username)
    rows = svc.for_kiosk(k.building if k else None)
    return NoticesOut(notices=[NoticePublic.model_validate(n) for n in rows])


@router.post("/pickup/lookup", response_model=PickupLookup, responses=ERRORS)
def pickup_lookup(body: LookupIn, kiosk: KioskCaller, svc: ItemsDep) -> dict[str, Any]:
    return {"item": _pickup_item(svc.kiosk_lookup(kiosk.username, body.code.strip()))}


@router.post("/pickup/confirm", response_model=PickupDone, responses=ERRORS)
def pickup_confirm(body: ConfirmIn, kiosk: KioskCaller, svc: ItemsDep) -> dict[str, Any]:
    item = svc.kiosk_confirm(kiosk.username, body.code.strip(), body.pieces)
    released: datetime | None = item.picked_up_at
    return {"item": _pickup_item(item), "released_at": released.isoformat() if released else None}


@router.get("/items", response_model=ResidentItems, responses=ERRORS)
def my_items(resident: ResidentDep, svc: ItemsDep) -> dict[str, Any]:
    """Held for the flat and not yet collected. No pickup code is shown."""
    return {"items": [_resident_item(i) for i in svc.open_items_of(resident.unit)]}


@router.get("/items/{item_id}", response_model=ResidentItemOut, responses=ERRORS)
def my_item(item_id: Annotated[int, Path(ge=1, le=MAX_ID)], resident: ResidentDep, svc: ItemsDep
            ) -> dict[str, Any]:
    """One of the flat's items (collected ones too); another flat's → 404."""
    i = svc.item_of(resident.unit, item_id)
    out = _resident_item(i) | {"state": i.state}
    out["collected_at"] = i.picked_up_at.isoformat() if i.picked_up_at else None
    return {"item": out}


@router.post("/items/{item_id}/collect", response_model=PickupDone, responses=ERRORS)
def collect_item(item_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: CollectIn,
                 resident: ResidentDep, svc: ItemsDep) -> dict[str, Any]:
    """Collect one of the flat's items here, logged in with the resident card (no code)."""
    if resident.method != "card":
        raise Forbidden("collect with the pickup code from your message, or log in with your "
                        "resident card: a PIN or one-time-code login cannot release an item",
                        code="card_required")
    item = svc.kiosk_collect(resident.kiosk, resident.unit, item_id, body.pieces)
    released: datetime | None = item.picked_up_at
    return {"item": _pickup_item(item), "released_at": released.isoformat() if released else None}


@router.get("/fees", response_model=AccountPublic, responses=ERRORS)
def my_fees(resident: ResidentDep, svc: FeesDep
            ) -> dict[str, Any]:
    return svc.statement_of(resident.unit)
