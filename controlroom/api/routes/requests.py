"""Service requests for staff (`/api/requests`): the queue sorted by SLA deadline, one request
with its history, taking a request at the desk, and every step of its life.

The front desk and butlers, supervisors and administrators act; a maintenance technician
starts, pauses for parts and completes the work assigned to them; operators read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from controlroom.api.deps import RequestCreator as Creator
from controlroom.api.deps import RequestReader as Reader
from controlroom.api.deps import RequestsDep as Service
from controlroom.api.deps import VocabularyReader
from controlroom.core.errors import MAX_ID, problems
from controlroom.core.security import TokenClaims
from controlroom.services.requests.schemas import (
    Choices,
    CloseBody,
    CreateBody,
    JudgeBody,
    RequestAssignBody,
    RequestNoteBody,
    RequestPublic,
    RequestsPublic,
    RequestWithHistory,
    ReturnVisitBody,
    Vocabulary,
    public,
    with_history,
)
from controlroom.services.requests.service import (
    ASSIGNEE_ROLES,
    Actor,
    RequestService,
)
from controlroom.services.requests.wording import vocabulary as request_vocabulary

router = APIRouter(prefix="/api/requests", tags=["service requests"])

ERRORS = problems(401, 403, 404, 409, 422)
RequestId = Annotated[int, Path(ge=1, le=MAX_ID)]


# -- shapes ------------------------------------------------------------------------------------


# -- errors ------------------------------------------------------------------------------------


def _run(svc: RequestService, request_id: RequestId, action: str, claims: TokenClaims,
         **kw: Any) -> RequestWithHistory:
    req = svc.act(request_id, action, Actor(claims.username, claims.role), **kw)
    return with_history(req)


# -- routes ------------------------------------------------------------------------------------


@router.get("", response_model=RequestsPublic, responses=ERRORS)
def queue(
    svc: Service,
    _: Reader,
    state: Annotated[Literal["open", "all", "received", "assigned", "in_progress",
                             "waiting_parts", "completed", "accepted", "return_visit", "closed",
                             "cancelled"], Query(description="open (default), all, or one state")
                     ] = "open",
    building: str | None = None,
    owner: Annotated[str | None, Query(description="the butler's username")] = None,
    overdue: bool | None = None,
    unit: str | None = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> RequestsPublic:
    """Overdue first, then by the next promise's deadline, then oldest first."""
    rows = svc.list(state=state, building=building, owner=owner, overdue_only=overdue,
                    unit=unit, limit=limit)
    return RequestsPublic(data=[RequestPublic(**public(r)) for r in rows], count=len(rows))


@router.get("/choices", response_model=Choices, responses=ERRORS)
def choices(request: Request, _: Reader) -> dict[str, Any]:
    """What the desk's forms offer: repair and complaint categories, menu items, and who work
    can be assigned to (with the buildings each butler owns)."""
    site = request.app.state.site
    return {
        "categories": {
            "repair": [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en,
                        "urgent": c.urgent} for c in site.repair_categories],
            "complaint": [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en}
                          for c in site.complaint_categories]},
        "items": [{"id": it.id, "menu": m.id, "name_zh": it.name_zh, "name_en": it.name_en}
                  for m in site.menus for it in m.items],
        "assignees": [{"username": st.username, "name": st.name, "role": st.role,
                       "butler_for": list(st.butler_for)}
                      for st in site.staff.values() if st.role in ASSIGNEE_ROLES],
        "buildings": [{"id": b.id, "name_zh": b.name_zh, "name_en": b.name_en}
                      for b in site.buildings.values()],
    }


@router.get("/vocabulary", response_model=Vocabulary, responses=problems(401, 403))
def vocabulary(request: Request, _: VocabularyReader) -> dict[str, Any]:
    """The labels of request states, types and next steps in Chinese and English: the kiosk
    and the console show these, and keep no copy of their own. The next steps name the site's
    own answer time."""
    return request_vocabulary(request.app.state.site.sla.respond_min)


@router.get("/{request_id}", response_model=RequestWithHistory, responses=ERRORS)
def one(request_id: RequestId, svc: Service, _: Reader) -> RequestWithHistory:
    return with_history(svc.get(request_id))


@router.post("", status_code=201, response_model=RequestWithHistory, responses=ERRORS)
def take(body: CreateBody, svc: Service, claims: Creator) -> RequestWithHistory:
    """A request taken at the desk (walk-in) or on the phone."""
    req = svc.create(unit=body.unit, type=body.type, item=body.item,
                     category=body.category, description=body.description,
                     channel=body.channel, severity=body.severity, actor=claims.username)
    return with_history(req)


@router.post("/{request_id}/assign", response_model=RequestWithHistory, responses=ERRORS)
def assign(request_id: RequestId, body: RequestAssignBody, svc: Service, claims: Reader
           ) -> RequestWithHistory:
    return _run(svc, request_id, "assign", claims, **body.model_dump())


def _simple(action: str, path: str, summary: str) -> None:
    def step(request_id: RequestId, svc: Service, claims: Reader,
             body: RequestNoteBody | None = None) -> RequestWithHistory:
        return _run(svc, request_id, action, claims, note=body.note if body else "")

    step.__name__ = action
    router.post(f"/{{request_id}}/{path}", response_model=RequestWithHistory,
                responses=ERRORS, summary=summary)(step)


_simple("start", "start", "Work starts (the technician is on site)")
_simple("wait_parts", "wait-parts", "Waiting for parts (the resident is told)")
_simple("complete", "complete", "The work is done")
_simple("reopen", "reopen", "The resident does not accept the work: back to assigned")
_simple("accept", "accept", "The resident accepts the work")
_simple("cancel", "cancel", "Cancel (say why in the note)")
_simple("feedback", "feedback", "Feedback given to the resident (what they were told)")
_simple("note", "note", "A note in the history")


@router.post("/{request_id}/return-visit", response_model=RequestWithHistory, responses=ERRORS)
def return_visit(request_id: RequestId, body: ReturnVisitBody, svc: Service, claims: Reader
                 ) -> RequestWithHistory:
    """The satisfaction call: attitude, quality and punctuality rated 1 to 5."""
    return _run(svc, request_id, "return_visit", claims, **body.model_dump())


@router.post("/{request_id}/close", response_model=RequestWithHistory, responses=ERRORS)
def close(request_id: RequestId, body: CloseBody, svc: Service, claims: Reader
          ) -> RequestWithHistory:
    """After the return visit; a complaint needs `resident_confirmed: true`."""
    return _run(svc, request_id, "close", claims, **body.model_dump())


@router.post("/{request_id}/judge", response_model=RequestWithHistory, responses=ERRORS)
def judge(request_id: RequestId, body: JudgeBody, svc: Service, claims: Reader
          ) -> RequestWithHistory:
    """A complaint judged valid or invalid, ordinary or serious (its resolve clock follows)."""
    return _run(svc, request_id, "judge", claims, **body.model_dump())
