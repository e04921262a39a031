from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from controlroom.alarms.casework import StepState
from controlroom.alarms.group_actions import GroupOutcome
from controlroom.alarms.schemas import (
    AckBody,
    AlertAssignBody,
    AlertNoteBody,
    AlertPublic,
    AlertsPublic,
    AlertWithHistory,
    DispatchBody,
    GroupAckBody,
    GroupOutcomePublic,
    GroupResolveOfflineBody,
    GroupSkipped,
    PlanPublic,
    PlanStepPublic,
    ResolveBody,
)
from controlroom.alarms.stream import Message
from controlroom.api.deps import AlertActor, AlertReader, AlertsDep, CaseworkDep, StreamReader
from controlroom.core.errors import MAX_ID, problems

# Every call here needs a token and a role, and has parameters that can be invalid.
router = APIRouter(prefix="/api/alerts", tags=["alerts"], responses=problems(401, 403, 422))

AlertId = Annotated[int, Path(ge=1, le=MAX_ID)]
ONE = problems(404)  # calls on one alert
CHANGE = problems(404, 409)  # changes an alert's state may refuse
# A heartbeat this often keeps proxies from closing an idle stream and lets clients notice
# a dead one.
KEEPALIVE_S = 15.0


@router.get("", response_model=AlertsPublic)
def read_alerts(
    alerts: AlertsDep,
    _: AlertReader,
    state: Literal["open", "acknowledged", "dispatched", "resolved", "all"] = "open",
    priority: Annotated[int | None, Query(ge=1, le=4)] = None,
    building: str | None = None,
    unit: str | None = None,
    kind: str | None = None,
    test: Annotated[bool | None, Query(description="only test events (true) or none (false)")
                    ] = None,
    condition: Annotated[Literal["active", "restored"] | None,
                         Query(description="e.g. `state=resolved&condition=active`: resolved "
                                           "while the device is still in alarm")] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="at most this many in `data`")
                     ] = 500,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> AlertsPublic:
    board = alerts.board(state=state, priority=priority, building=building, unit=unit,
                         kind=kind, test=test, condition=condition, limit=limit, offset=offset)
    # Written from the database's rows as `AlertsPublic` (service.board_json), not through
    # a model object per alert validated twice.
    return Response(board, media_type="application/json")  # type: ignore[return-value]


def _sse(msg: Message) -> str:
    return f"id: {msg.id}\nevent: {msg.event}\ndata: {msg.data}\n\n"


STREAM_DOC = ("Server-Sent Events: an `alert` event (`data` is the alert JSON, as `AlertPublic`, "
              "`id` the change's number for `Last-Event-ID`) on every create and change, and "
              "a `heartbeat` event every 15 s")


@router.get("/stream", response_class=StreamingResponse, responses={200: {
    "description": STREAM_DOC,
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
async def stream_alerts(
    request: Request,
    alerts: AlertsDep,
    _: StreamReader,
    last_event_id: Annotated[str | None, Header()] = None,
    since: Annotated[int | None, Query(alias="last_event_id", ge=0, le=2**62,
                                       description="as the Last-Event-ID header, for a new "
                                                   "EventSource that cannot send it")] = None,
) -> StreamingResponse:
    broadcaster = request.app.state.broadcaster
    sub = broadcaster.subscribe()
    try:
        last = int(last_event_id) if last_event_id else since
    except ValueError:
        last = since
    # Replay what a reconnecting client missed; subscribe first so nothing falls between.
    backlog = await asyncio.to_thread(alerts.changes_since, last) if last is not None else []

    async def events() -> AsyncIterator[str]:
        sent = last or 0
        try:
            yield "retry: 2000\n\n"
            for msg in backlog:
                sent = max(sent, msg.id)
                yield _sse(msg)
            while True:
                try:
                    msg = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    # A named event, not a comment, so a browser can tell a live but quiet
                    # stream from a dead one.
                    yield "event: heartbeat\ndata: {}\n\n"
                    continue
                if msg is None:  # too slow: end, the client reconnects and replays
                    return
                if msg.id <= sent and last is not None:
                    continue  # already sent in the backlog
                yield _sse(msg)
        finally:
            broadcaster.unsubscribe(sub)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


# -- one action for a group (declared before /{alert_id} so "group" is not read as an id) ----


def _group_public(out: GroupOutcome) -> GroupOutcomePublic:
    return GroupOutcomePublic(
        changed=[a.id for a in out.done], count=len(out.done),
        skipped=[GroupSkipped(id=i, state=st, reason=why) for i, st, why in out.skipped])


@router.post("/group/acknowledge", response_model=GroupOutcomePublic, responses=ONE)
def ack_group(body: GroupAckBody, alerts: AlertsDep, who: AlertActor) -> GroupOutcomePublic:
    """Acknowledge a building's alerts, a building incident with the alarms linked to it, or
    the alerts listed: each alert gets its own history row, audit entry and stream event; an
    alert already acknowledged (or resolved) is skipped and listed in `skipped`."""
    return _group_public(alerts.act_group("ack", who.username, building=body.building,
                                          incident=body.incident, alert_ids=body.alert_ids,
                                          note=body.note))


@router.post("/group/resolve-restored-offline", response_model=GroupOutcomePublic)
def resolve_restored_offline(body: GroupResolveOfflineBody, alerts: AlertsDep, who: AlertActor
                             ) -> GroupOutcomePublic:
    """After a power cut: acknowledge and resolve a building's "device offline" alerts whose
    devices are back (condition `restored`), each audited on its own."""
    return _group_public(alerts.resolve_restored_offline(body.building, who.username,
                                                         note=body.note, cause=body.cause))


@router.get("/{alert_id}", response_model=AlertWithHistory, responses=ONE)
def read_alert(alert_id: AlertId, alerts: AlertsDep, _: AlertReader) -> AlertWithHistory:
    return AlertWithHistory.model_validate(alerts.get(alert_id))


def _act(alerts: AlertsDep, alert_id: int, action: str, actor: str, note: str,
         to: str | None = None, cause: str | None = None) -> AlertPublic:
    return AlertPublic.model_validate(alerts.act(alert_id, action, actor, note=note, to=to,
                                                 cause=cause))


@router.post("/{alert_id}/ack", response_model=AlertPublic, responses=CHANGE)
def ack_alert(alert_id: AlertId, body: AckBody, alerts: AlertsDep, who: AlertActor) -> AlertPublic:
    return _act(alerts, alert_id, "ack", who.username, note=body.note)


@router.post("/{alert_id}/dispatch", response_model=AlertPublic, responses=CHANGE)
def dispatch_alert(alert_id: AlertId, body: DispatchBody, alerts: AlertsDep, who: AlertActor
                   ) -> AlertPublic:
    return _act(alerts, alert_id, "dispatch", who.username, note=body.note, to=body.to)


@router.post("/{alert_id}/resolve", response_model=AlertPublic, responses=CHANGE)
def resolve_alert(alert_id: AlertId, body: ResolveBody, alerts: AlertsDep, who: AlertActor
                  ) -> AlertPublic:
    return _act(alerts, alert_id, "resolve", who.username, note=body.note, cause=body.cause)


# -- working an alert: notes, assignment, the action plan ---------------------------------------


def _plan_public(alert_id: int, kind: str, steps: list[StepState]) -> PlanPublic:
    return PlanPublic(alert_id=alert_id, kind=kind,
                      steps=[PlanStepPublic.model_validate(st) for st in steps],
                      done=sum(st.ticked_at is not None for st in steps), total=len(steps))


@router.post("/{alert_id}/note", response_model=AlertWithHistory, responses=ONE)
def note_alert(alert_id: AlertId, body: AlertNoteBody, work: CaseworkDep, who: AlertActor
               ) -> AlertWithHistory:
    """Add an operator's note to the alert's history."""
    return AlertWithHistory.model_validate(work.add_note(alert_id, who.username, body.note))


@router.post("/{alert_id}/assign", response_model=AlertWithHistory, responses=CHANGE)
def assign_alert(alert_id: AlertId, body: AlertAssignBody, work: CaseworkDep, who: AlertActor
                 ) -> AlertWithHistory:
    """Assign the alert to an operator or supervisor (`detail.assigned_to`)."""
    return AlertWithHistory.model_validate(work.assign(alert_id, who.username, body.to))


@router.get("/{alert_id}/plan", response_model=PlanPublic, responses=ONE)
def read_plan(alert_id: AlertId, work: CaseworkDep, _: AlertReader) -> PlanPublic:
    """The action plan for the alert's kind, each step with when and by whom it was ticked."""
    alert, steps = work.plan(alert_id)
    return _plan_public(alert.id, alert.kind, steps)


@router.post("/{alert_id}/plan/{step}/tick", response_model=PlanPublic, responses=CHANGE)
def tick_plan_step(alert_id: AlertId, step: Annotated[int, Path(le=1000)],
                   work: CaseworkDep, who: AlertActor) -> PlanPublic:
    """Tick off step `step` (1-based) of the alert's action plan, once."""
    alert, steps = work.tick(alert_id, step, who.username)
    return _plan_public(alert.id, alert.kind, steps)
