"""Notices (staff): create, change, withdraw; the kiosk shows those in force."""

from __future__ import annotations

from fastapi import APIRouter, Response

from controlroom.api.deps import DeskStaff, ItemId, NoticesDep
from controlroom.core.errors import problems
from controlroom.services.notices.schemas import NoticeIn, NoticePatch, NoticePublic, NoticesOut

router = APIRouter(prefix="/api/notices", tags=["notices"])
ERRORS = problems(401, 403, 404, 409, 410, 422)


@router.get("", response_model=NoticesOut, responses=ERRORS)
def read_notices(svc: NoticesDep, _: DeskStaff, current: bool = False) -> NoticesOut:
    """All notices, newest first; `current=true`: those not yet expired."""
    return NoticesOut(notices=[NoticePublic.model_validate(n) for n in svc.all(current)])


@router.post("", response_model=NoticePublic, status_code=201, responses=ERRORS)
def create_notice(body: NoticeIn, svc: NoticesDep, who: DeskStaff) -> NoticePublic:
    return NoticePublic.model_validate(svc.create(who.username, body.model_dump()))


@router.get("/{notice_id}", response_model=NoticePublic, responses=ERRORS)
def read_notice(notice_id: ItemId, svc: NoticesDep, _: DeskStaff) -> NoticePublic:
    return NoticePublic.model_validate(svc.get(notice_id))


@router.patch("/{notice_id}", response_model=NoticePublic, responses=ERRORS)
def change_notice(notice_id: ItemId, body: NoticePatch, svc: NoticesDep, who: DeskStaff
                  ) -> NoticePublic:
    return NoticePublic.model_validate(
        svc.update(who.username, notice_id, body.model_dump(exclude_unset=True)))


@router.delete("/{notice_id}", status_code=204, response_class=Response,
                responses={**ERRORS, 204: {"description": "Withdrawn: no body"}})
def withdraw_notice(notice_id: ItemId, svc: NoticesDep, who: DeskStaff) -> Response:
    svc.delete(who.username, notice_id)
    return Response(status_code=204)
