"""The lobby kiosk's API (docs/api/kiosk.md): the public calls, identifying a resident, and the
resident's own requests. Held items, pickup, fees and notices are in their own module.

Every call needs the kiosk's bearer token; the kiosk's building comes from the site file.
A resident sees only their own flat: another flat's request answers 404, as an unknown one.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from config import Kiosk, Resident, Site
from config.privacy import mask_name
from controlroom.alarms.models import Alert
from controlroom.api.deps import KioskCaller, ResidentDep
from controlroom.api.deps import RequestsDep as Service
from controlroom.core.errors import (
    MAX_ID,
    DomainError,
    Forbidden,
    Locked,
    NotSignedIn,
    problems,
)
from controlroom.core.errors import Invalid as BadLogin
from controlroom.core.models import AuditEntry
from controlroom.core.notify import ResidentMessage
from controlroom.core.security import TokenClaims
from controlroom.core.shared_lockout import SharedLockout
from controlroom.services.requests.flow import ACTIONS, OPEN_STATES
from controlroom.services.requests.models import ServiceRequest
from controlroom.services.requests.service import NotFound
from controlroom.services.requests.wording import STATE_LABELS, next_steps
from controlroom.services.residents.schemas import (
    Catalogue,
    Categories,
    CodeSent,
    KioskInfo,
    KioskRequest,
    KioskRequests,
    Me,
    SessionAnswer,
)
from controlroom.services.residents.sessions import (
    CARD_FAILURES,
    IDLE,
    ResidentDirectory,
    ResidentSessionStore,
)

CODES_PER_HOUR = 5  # one-time login codes texted to one phone in any hour

router = APIRouter(prefix="/api/kiosk", tags=["kiosk"])

ERRORS = problems(401, 403, 404, 422, 429)


def _kiosk(request: Request, caller: TokenClaims) -> Kiosk:
    kiosk = request.app.state.site.kiosks.get(caller.username)
    if kiosk is None:  # an account with role kiosk but no [[kiosks]] entry
        raise Forbidden(f"{caller.username!r} is not a kiosk of this site", code="unknown_kiosk")
    return kiosk


def _now(request: Request) -> datetime:
    return request.app.state.alerts.now()


def _audit(request: Request, actor: str, action: str, target: str, detail: str = "") -> None:
    with request.app.state.sessions() as s:
        s.add(AuditEntry(at=_now(request), actor=actor[:64], action=action, target=target,
                         detail=detail))
        s.commit()


# -- public ------------------------------------------------------------------------------------

EMERGENCY = (("火警", "Fire", "119"), ("急救", "Ambulance", "120"), ("报警", "Police", "110"))


def _incident(request: Request, building: str) -> dict[str, Any] | None:
    """An open building incident, or an open priority-1 gas alarm, in the kiosk's building:
    what the attract screen's banner says. No flat, no name."""
    rows, _ = request.app.state.alerts.list(state="open", building=building, test=False)
    hits: list[Alert] = [a for a in rows if a.kind == "incident" or (
        a.kind == "gas_alarm" and a.priority == 1)]
    if not hits:
        return None
    first = min(hits, key=lambda a: a.raised_at)
    if any(a.kind == "incident" for a in hits):
        zh, en = ("本楼发生燃气泄漏事件，请听从工作人员指挥，勿使用明火及电器开关。",
                  "Gas incident in this building: follow staff instructions; no flames, "
                  "do not touch electrical switches.")
    else:
        zh, en = ("本楼有燃气报警正在处理中，请勿使用明火。",
                  "A gas alarm in this building is being handled: no open flames, please.")
    return {"kind": "incident", "building": building, "raised_at": first.raised_at,
            "message_zh": zh, "message_en": en}


@router.get("/info", response_model=KioskInfo, responses=ERRORS)
def info(request: Request, caller: KioskCaller) -> dict[str, Any]:
    site: Site = request.app.state.site
    kiosk = _kiosk(request, caller)
    return {
        "site": {"id": site.id, "name_zh": site.name_zh, "name_en": site.name_en},
        "kiosk": {"id": kiosk.id, "building": kiosk.building, "name_zh": kiosk.name_zh,
                  "name_en": kiosk.name_en},
        "hotline": site.hotline,
        "emergency": [{"label_zh": "物业服务热线", "label_en": "Estate hotline",
                       "phone": site.hotline}]
        + [{"label_zh": zh, "label_en": en, "phone": n} for zh, en, n in EMERGENCY],
        "incident": _incident(request, kiosk.building),
        "config_version": request.app.state.kiosk_config_versions[kiosk.id],
    }


@router.get("/catalogue", response_model=Catalogue, responses=ERRORS)
def catalogue(request: Request, caller: KioskCaller) -> dict[str, Any]:
    _kiosk(request, caller)
    return {"menus": [
        {"id": m.id, "name_zh": m.name_zh, "name_en": m.name_en, "note_zh": m.note_zh,
         "note_en": m.note_en,
         "items": [{"id": it.id, "name_zh": it.name_zh, "name_en": it.name_en,
                    "department": it.department, "sla": it.sla, "price": it.price,
                    "quote": it.quote} for it in m.items]}
        for m in request.app.state.site.menus]}


@router.get("/categories", response_model=Categories, responses=ERRORS)
def categories(request: Request, caller: KioskCaller) -> dict[str, Any]:
    _kiosk(request, caller)
    site: Site = request.app.state.site
    return {
        "repair": [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en,
                    "urgent": c.urgent} for c in site.repair_categories],
        "complaint": [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en}
                      for c in site.complaint_categories],
    }


# -- identification ----------------------------------------------------------------------------


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["pin", "card", "otp_request", "otp"]
    unit: str | None = Field(default=None, max_length=32)
    pin: str | None = Field(default=None, max_length=32)
    card: str | None = Field(default=None, max_length=64)
    code: str | None = Field(default=None, max_length=32)


def _need(body: LoginBody, *fields: str) -> None:
    for f in fields:
        if not getattr(body, f):
            raise BadLogin(f"{f}: required for method {body.method!r}", code="invalid", field=f)


def _locked(retry_after_s: float) -> DomainError:
    secs = max(1, math.ceil(retry_after_s))
    return Locked(f"too many wrong tries for this flat at this kiosk: try again in "
                  f"{secs} s, or ask at the front desk", code="locked",
                  headers={"Retry-After": str(secs)}, retry_after_s=secs)


def _cards_paused(retry_after_s: float) -> DomainError:
    secs = max(1, math.ceil(retry_after_s))
    return Locked(f"too many unknown cards at this kiosk: card login is paused for {secs} s; "
                  "log in with your flat and PIN, or ask at the front desk",
                  code="cards_paused", headers={"Retry-After": str(secs)},
                  retry_after_s=secs)


def _open_session(request: Request, response: Response, kiosk: Kiosk, resident: Resident,
                  method: str) -> dict[str, Any]:
    store: ResidentSessionStore = request.app.state.resident_sessions
    new = store.create(resident.unit, kiosk.id, mask_name(resident.name), method)
    _audit(request, kiosk.id, "kiosk.login", f"unit:{resident.unit}", f"by {method}")
    response.status_code = 201
    return {"session": new.token, "unit": new.unit, "name_masked": new.name_masked,
            "expires_at": new.expires_at, "idle_s": int(IDLE.total_seconds())}


def _card_login(request: Request, response: Response, kiosk: Kiosk, card: str
                ) -> dict[str, Any]:
    """A card held to the reader. Unknown cards at one kiosk pause card logins there (flat
    and PIN still work); a resident's own card neither clears nor adds to that count."""
    cards: SharedLockout = request.app.state.card_lockout
    key, now = ("card", kiosk.id), _now(request).timestamp()
    paused = cards.check(key, now)
    if paused.locked:
        raise _cards_paused(paused.retry_after_s)
    resident = request.app.state.residents.by_card(card)
    if resident is None:
        after = cards.fail(key, now)
        _audit(request, kiosk.id, "kiosk.login_failed", "", "unknown card")
        if after.locked:
            _audit(request, kiosk.id, "kiosk.cards_paused", f"kiosk:{kiosk.id}",
                   f"{CARD_FAILURES} unknown cards: card login paused for "
                   f"{int(after.retry_after_s)} s")
            raise _cards_paused(after.retry_after_s)
        raise NotSignedIn("this card is not registered: log in with your flat and PIN, or "
                          "ask at the front desk", code="unknown_card")
    return _open_session(request, response, kiosk, resident, "card")


@router.post("/session", status_code=201, response_model=SessionAnswer,
             responses={**ERRORS, 201: {"description": "Signed in: the resident's session "
                                                       "(202 for otp_request)"},
                        202: {"model": CodeSent,
                              "description": "otp_request: a code is sent if the flat is "
                                             "known (the answer does not say)"}})
def log_in(body: LoginBody, request: Request, response: Response, caller: KioskCaller
           ) -> dict[str, Any]:
    kiosk = _kiosk(request, caller)
    directory: ResidentDirectory = request.app.state.residents
    if body.method == "card":
        _need(body, "card")
        return _card_login(request, response, kiosk, body.card or "")

    _need(body, "unit")
    unit = (body.unit or "").strip()
    lockout: SharedLockout = request.app.state.pin_lockout
    # Guesses at flats that do not exist share one count, so they cannot fill the memory.
    known = unit in request.app.state.site.units
    key = ("pin", kiosk.id, unit if known else "(no such flat)")
    now = _now(request).timestamp()
    state = lockout.check(key, now)

    if body.method == "otp_request":
        resident = directory.first_of(unit)
        # A phone gets at most CODES_PER_HOUR login codes: the kiosk cannot be used to flood
        # a resident with texts (the lockout counts wrong codes, not requests).
        flooded = resident is not None and request.app.state.outbox.sent_lately(
            "login_code", resident.phone, _now(request) - timedelta(hours=1)) >= CODES_PER_HOUR
        if resident is not None and not state.locked and not flooded:
            code = directory.new_code(unit, kiosk.id)
            request.app.state.resident_notifier.tell_resident(ResidentMessage(
                unit, resident.phone, resident.language,
                f"{code} 是您在{kiosk.name_zh}自助终端的登录验证码，5分钟内有效。",
                f"{code} is your login code for the {kiosk.name_en} kiosk (5 minutes).",
                "login_code", f"unit:{unit}", secret=code, asked=True))
            _audit(request, kiosk.id, "kiosk.otp_sent", f"unit:{unit}")
        # Always the same answer: it does not tell which flats exist (nor which are throttled).
        response.status_code = 202
        return {"sent": True}

    if state.locked:
        raise _locked(state.retry_after_s)
    if body.method == "pin":
        _need(body, "pin")
        resident = directory.by_pin(unit, body.pin or "")
    else:
        _need(body, "code")
        ok = directory.use_code(unit, kiosk.id, (body.code or "").strip())
        resident = directory.first_of(unit) if ok else None
    if resident is None:
        after = lockout.fail(key, now)
        _audit(request, kiosk.id, "kiosk.login_failed", f"unit:{unit}"[:128],
               f"wrong {body.method}")
        if after.locked:
            raise _locked(after.retry_after_s)
        raise NotSignedIn(f"the flat and {'PIN' if body.method == 'pin' else 'code'} do not "
                          f"match: {after.attempts_left} tries left", code="wrong_pin",
                          attempts_left=after.attempts_left)
    lockout.succeed(key)
    return _open_session(request, response, kiosk, resident, body.method)


@router.delete("/session", status_code=204, response_class=Response,
               responses={**ERRORS, 204: {"description": "The session has ended: no body"}})
def log_out(request: Request, resident: ResidentDep) -> Response:
    request.app.state.resident_sessions.end(resident.session)
    _audit(request, resident.kiosk, "kiosk.logout", f"unit:{resident.unit}")
    return Response(status_code=204)


# -- the resident's own ------------------------------------------------------------------------


@router.get("/me", response_model=Me, responses=ERRORS)
def me(request: Request, resident: ResidentDep, svc: Service) -> dict[str, Any]:
    site: Site = request.app.state.site
    # Fees and held items belong to another module: it lends a summary through this hook.
    summary = getattr(request.app.state, "account_summary", None)
    account = summary(resident.unit) if summary is not None else {}
    open_requests = sum(1 for r in svc.for_unit(resident.unit) if r.state in OPEN_STATES)
    return {"unit": resident.unit, "name_masked": resident.name_masked,
            "building": site.units[resident.unit].building,
            "balance": account.get("balance", 0), "arrears": account.get("arrears", 0),
            "open_requests": open_requests, "held_items": account.get("held_items", 0)}


class KioskRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["repair", "urgent_repair", "complaint", "enquiry", "suggestion", "help",
                  "service_order", "assistance"]
    item: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=64)
    description: str = Field(default="", max_length=500)


def kiosk_view(req: ServiceRequest, respond_min: float) -> dict[str, Any]:
    """A request as its resident sees it: no staff names, the next promise, the timeline (the
    next step in the site's own answer time, `respond_min`)."""
    step = next_steps(respond_min)[req.state]
    timeline = [{"state": h.state, "at": h.at, "label_zh": STATE_LABELS[h.state][0],
                 "label_en": STATE_LABELS[h.state][1]}
                for h in req.history if h.action == "received" or h.action in ACTIONS]
    return {"id": req.id, "number": req.number, "type": req.type, "state": req.state,
            "title_zh": req.title_zh, "title_en": req.title_en,
            "description": req.description, "created_at": req.created_at,
            "promised_by": req.next_due,
            "next_step_zh": step[0], "next_step_en": step[1],
            "timeline": timeline}


@router.post("/requests", status_code=201, response_model=KioskRequest, responses=ERRORS)
def order(body: KioskRequestBody, resident: ResidentDep, svc: Service) -> dict[str, Any]:
    req = svc.create(unit=resident.unit, type=body.type, item=body.item,
                     category=body.category, description=body.description,
                     channel="kiosk", actor=f"resident:{resident.unit}@{resident.kiosk}")
    return kiosk_view(req, svc.site.sla.respond_min)


@router.get("/requests", response_model=KioskRequests, responses=ERRORS)
def my_requests(resident: ResidentDep, svc: Service) -> dict[str, Any]:
    respond_min = svc.site.sla.respond_min
    return {"requests": [kiosk_view(r, respond_min) for r in svc.for_unit(resident.unit)]}


@router.get("/requests/{request_id}", response_model=KioskRequest, responses=ERRORS)
def my_request(request_id: Annotated[int, Path(ge=1, le=MAX_ID)], resident: ResidentDep,
               svc: Service) -> dict[str, Any]:
    try:
        req = svc.get(request_id)
    except NotFound:
        req = None
    if req is None or req.unit != resident.unit:
        # The same answer for another flat's request as for none: nothing to learn.
        raise NotFound(f"no request {request_id} for your flat", code="not_found")
    return kiosk_view(req, svc.site.sla.respond_min)
