"""Request dependencies: the app's services and the caller's identity and role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from controlroom.alarms.casework import CaseworkService
from controlroom.alarms.devices import DeviceService
from controlroom.alarms.service import AlertService
from controlroom.core.security import TokenClaims, TokenError, read_token

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)

READ_ALERTS = ("operator", "supervisor", "maintenance", "admin")
ACT_ON_ALERTS = ("operator", "supervisor", "admin")


def _alerts(request: Request) -> AlertService:
    return request.app.state.alerts


def _devices(request: Request) -> DeviceService:
    return request.app.state.devices


def _casework(request: Request) -> CaseworkService:
    return request.app.state.casework


AlertsDep = Annotated[AlertService, Depends(_alerts)]
CaseworkDep = Annotated[CaseworkService, Depends(_casework)]
DevicesDep = Annotated[DeviceService, Depends(_devices)]


def current_claims(request: Request, token: Annotated[str | None, Depends(oauth2)]
                   ) -> TokenClaims:
    # EventSource cannot send headers, so the SSE stream also takes ?access_token=.
    token = token or request.query_params.get("access_token")
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not signed in: send a bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        return read_token(request.app.state.token_key, token)
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid token: {exc}",
                            headers={"WWW-Authenticate": "Bearer"}) from None


def require(*roles: str) -> Callable[[TokenClaims], TokenClaims]:
    def check(claims: Annotated[TokenClaims, Depends(current_claims)]) -> TokenClaims:
        if claims.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"role {claims.role!r} may not do this; needs one of "
                                f"{', '.join(roles)}")
        return claims

    return check


AlertReader = Annotated[TokenClaims, Depends(require(*READ_ALERTS))]
AlertActor = Annotated[TokenClaims, Depends(require(*ACT_ON_ALERTS))]
GatewayCaller = Annotated[TokenClaims, Depends(require("gateway"))]
# The lobby kiosk device (its username is the kiosk id of the site file).
KioskCaller = Annotated[TokenClaims, Depends(require("kiosk"))]
