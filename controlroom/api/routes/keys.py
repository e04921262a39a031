"""Key custody and lent items (staff). Operators may read the key register: the gas plan
enters a flat with the key from custody."""

from __future__ import annotations

from fastapi import APIRouter, Response

from controlroom.api.deps import CustodyDep, DeskStaff, ItemId, KeyReader
from controlroom.core.errors import problems
from controlroom.services.desk.schemas import (
    KeyDetail,
    KeyIn,
    KeyMoveIn,
    KeyMovementPublic,
    KeyPublic,
    KeysOut,
    LendIn,
    LentOut,
    LentPublic,
    LentReturnIn,
)

router = APIRouter(tags=["keys and lending"])
ERRORS = problems(401, 403, 404, 409, 410, 422)


@router.post("/api/keys", response_model=KeyPublic, status_code=201, responses=ERRORS)
def take_key(body: KeyIn, svc: CustodyDep, who: DeskStaff) -> KeyPublic:
    """Take a flat's door key into custody (the signed declaration's reference required)."""
    return KeyPublic.model_validate(svc.take_key(who.username, **body.model_dump()))


@router.get("/api/keys", response_model=KeysOut, responses=ERRORS)
def read_keys(svc: CustodyDep, _: KeyReader, unit: str | None = None) -> KeysOut:
    return KeysOut([KeyPublic.model_validate(k) for k in svc.keys(unit)])


@router.get("/api/keys/{key_id}", response_model=KeyDetail, responses=ERRORS)
def read_key(key_id: ItemId, svc: CustodyDep, _: KeyReader) -> KeyDetail:
    k, moves = svc.key(key_id)
    return KeyDetail(key=KeyPublic.model_validate(k),
                     movements=[KeyMovementPublic.model_validate(m) for m in moves])


# Not in the OpenAPI document (it admits JSON, SSE and CSV bodies only: test_openapi.py), like
# the lost-and-found photo.
@router.get("/api/keys/{key_id}/declaration", response_class=Response, include_in_schema=False)
def read_declaration(key_id: ItemId, svc: CustodyDep, _: KeyReader) -> Response:
    """The signed declaration: the uploaded scan or the signature drawn on the desk's screen."""
    media, data = svc.declaration(key_id)
    return Response(data, media_type=media, headers={"Cache-Control": "no-store",
                                                     "X-Content-Type-Options": "nosniff"})


@router.post("/api/keys/{key_id}/movements", response_model=KeyPublic, responses=ERRORS)
def move_key(key_id: ItemId, body: KeyMoveIn, svc: CustodyDep, who: DeskStaff) -> KeyPublic:
    """out (to whom, why), back, or returned to the owner (custody ends)."""
    return KeyPublic.model_validate(svc.move_key(who.username, key_id, body.direction,
                                                 body.to_whom, body.why))


@router.post("/api/lent", response_model=LentPublic, status_code=201, responses=ERRORS)
def lend(body: LendIn, svc: CustodyDep, who: DeskStaff) -> LentPublic:
    return LentPublic.model_validate(svc.lend(who.username, body.unit, body.item,
                                              body.quantity, body.note))


@router.get("/api/lent", response_model=LentOut, responses=ERRORS)
def read_lent(svc: CustodyDep, _: DeskStaff, outstanding: bool = True) -> LentOut:
    return LentOut([LentPublic.model_validate(x) for x in svc.lent(outstanding)])


@router.post("/api/lent/{lent_id}/return", response_model=LentPublic, responses=ERRORS)
def give_back(lent_id: ItemId, body: LentReturnIn, svc: CustodyDep, who: DeskStaff
              ) -> LentPublic:
    return LentPublic.model_validate(svc.give_back(who.username, lent_id, body.condition))
