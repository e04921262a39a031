"""Every request dependency in one place: the app's services (`*Dep`, read by `app_state`),
the caller's identity and role (`require`, the role aliases), and the resident logged in at a
kiosk (`ResidentDep`, from the `X-Resident-Session` header, docs/api/kiosk.md). Routes import
these and the domains, never another route. Tests of resident routes may override `current_resident`
(FastAPI `dependency_overrides`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar, cast

from fastapi import Depends, Header, HTTPException, Path, Query, Request, status
from fastapi.security import OAuth2PasswordBearer

from controlroom.alarms.casework import CaseworkService
from controlroom.alarms.devices import DeviceService
from controlroom.alarms.service import AlertService
from controlroom.alarms.test_mode import TestModeService
from controlroom.alarms.units import UNIT_READERS
from controlroom.core.accounts import session_current
from controlroom.core.errors import MAX_ID, NotSignedIn
from controlroom.core.outbox import Outbox
from controlroom.core.security import TokenClaims, TokenError, read_token
from controlroom.services.desk.custody import CustodyService
from controlroom.services.desk.held_items import HeldItemService
from controlroom.services.fees.service import FeeService
from controlroom.services.notices.service import NoticeService
from controlroom.services.requests.flow import ACT_ROLES, READ_ROLES
from controlroom.services.requests.service import RequestService
from controlroom.services.residents.sessions import ResidentClaims

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)

READ_ALERTS = ("operator", "supervisor", "maintenance", "admin")
ACT_ON_ALERTS = ("operator", "supervisor", "admin")
DESK_ROLES = ("frontdesk", "supervisor", "admin")
TEST_MANAGERS = ("maintenance", "supervisor", "admin")
NOTIFICATION_READERS = ("operator", "supervisor", "manager", "frontdesk", "maintenance",
                        "admin")
NOTIFICATION_RESENDERS = ("operator", "supervisor", "frontdesk", "admin")


# -- the app's services -------------------------------------------------------------------------


_S = TypeVar("_S")


def app_state(name: str, kind: type[_S]) -> Callable[[Request], _S]:
    """A dependency answering the service `create_app` keeps as `app.state.<name>`, typed as
    `kind` for mypy (nothing is checked at run time: tests may keep a stand-in there)."""

    def service(request: Request) -> _S:
        return cast(_S, getattr(request.app.state, name))

    return service


AlertsDep = Annotated[AlertService, Depends(app_state("alerts", AlertService))]
CaseworkDep = Annotated[CaseworkService, Depends(app_state("casework", CaseworkService))]
DevicesDep = Annotated[DeviceService, Depends(app_state("devices", DeviceService))]
TestModeDep = Annotated[TestModeService, Depends(app_state("test_mode", TestModeService))]
RequestsDep = Annotated[RequestService, Depends(app_state("requests", RequestService))]
ItemsDep = Annotated[HeldItemService, Depends(app_state("items", HeldItemService))]
CustodyDep = Annotated[CustodyService, Depends(app_state("custody", CustodyService))]
FeesDep = Annotated[FeeService, Depends(app_state("fees", FeeService))]
NoticesDep = Annotated[NoticeService, Depends(app_state("notices", NoticeService))]
OutboxDep = Annotated[Outbox, Depends(app_state("outbox", Outbox))]

# A path parameter naming a held item, a key or a notice by its id.
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


# -- who is calling ------------------------------------------------------------------------------


def _claims(request: Request, token: str | None) -> TokenClaims:
    """The signed-in account of a bearer token: signed, unexpired, and its session not ended
    since (the account disabled or its password reset: `session_current`)."""
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not signed in: send a bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = read_token(request.app.state.token_key, token)
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid token: {exc}",
                            headers={"WWW-Authenticate": "Bearer"}) from None
    if not session_current(request.app.state.sessions, claims.username, claims.version):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "session ended: the account was disabled or its password reset; "
                            "sign in again", headers={"WWW-Authenticate": "Bearer"})
    return claims


def current_claims(request: Request, token: Annotated[str | None, Depends(oauth2)]
                   ) -> TokenClaims:
    """The caller, from the Authorization header only (never the query string, which lands
    in proxies' logs)."""
    return _claims(request, token)


def stream_claims(
    request: Request, token: Annotated[str | None, Depends(oauth2)],
    access_token: Annotated[str | None, Query(
        description="the bearer token, for an EventSource that cannot send headers (this "
                    "route only)")] = None,
) -> TokenClaims:
    """The caller of the event stream: EventSource cannot send headers, so this one route
    also takes `?access_token=` (kept out of the access log, controlroom/__main__.py)."""
    return _claims(request, token or access_token)


def _role_check(roles: tuple[str, ...], claims: TokenClaims) -> TokenClaims:
    if claims.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"role {claims.role!r} may not do this; needs one of "
                            f"{', '.join(roles)}")
    return claims


def require(*roles: str) -> Callable[[TokenClaims], TokenClaims]:
    def check(claims: Annotated[TokenClaims, Depends(current_claims)]) -> TokenClaims:
        return _role_check(roles, claims)

    return check


def require_on_stream(*roles: str) -> Callable[[TokenClaims], TokenClaims]:
    def check(claims: Annotated[TokenClaims, Depends(stream_claims)]) -> TokenClaims:
        return _role_check(roles, claims)

    return check


# The event stream's reader: the header or ?access_token= (the only route that takes it).
StreamReader = Annotated[TokenClaims, Depends(require_on_stream(*READ_ALERTS))]
AlertReader = Annotated[TokenClaims, Depends(require(*READ_ALERTS))]
AlertActor = Annotated[TokenClaims, Depends(require(*ACT_ON_ALERTS))]
GatewayCaller = Annotated[TokenClaims, Depends(require("gateway"))]
TestManager = Annotated[TokenClaims, Depends(require(*TEST_MANAGERS))]
UnitReader = Annotated[TokenClaims, Depends(require(*UNIT_READERS))]
RequestReader = Annotated[TokenClaims, Depends(require(*READ_ROLES))]
# The request vocabulary is read by staff who read requests and by the lobby kiosk device.
VocabularyReader = Annotated[TokenClaims, Depends(require(*READ_ROLES, "kiosk"))]
RequestCreator = Annotated[TokenClaims, Depends(require(*ACT_ROLES))]
DeskStaff = Annotated[TokenClaims, Depends(require(*DESK_ROLES))]
# Operators may read the key register: the gas plan enters a flat with the key from custody.
KeyReader = Annotated[TokenClaims, Depends(require(*DESK_ROLES, "operator"))]
NotificationReader = Annotated[TokenClaims, Depends(require(*NOTIFICATION_READERS))]
NotificationResender = Annotated[TokenClaims, Depends(require(*NOTIFICATION_RESENDERS))]
# The lobby kiosk device (its username is the kiosk id of the site file).
KioskCaller = Annotated[TokenClaims, Depends(require("kiosk"))]


def current_resident(
    request: Request,
    kiosk: KioskCaller,
    x_resident_session: Annotated[str | None, Header()] = None,
) -> ResidentClaims:
    sessions = getattr(request.app.state, "resident_sessions", None)
    claims = sessions.touch(x_resident_session, kiosk.username) if (
        sessions is not None and x_resident_session) else None
    if claims is None:
        raise NotSignedIn("no resident is logged in at this kiosk (or the session ended): "
                          "log in again with your card or flat and PIN", code="session_expired")
    return claims


ResidentDep = Annotated[ResidentClaims, Depends(current_resident)]
