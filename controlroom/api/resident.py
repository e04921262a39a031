"""The resident at a kiosk: who is logged in, from the `X-Resident-Session` header
(docs/api/kiosk.md). Routes that show a flat's own data depend on `ResidentDep`; tests of
such routes may override `current_resident` (FastAPI `dependency_overrides`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from controlroom.api.deps import KioskCaller
from controlroom.core.errors import ApiProblem
from controlroom.services.residents.sessions import ResidentClaims

__all__ = ["ResidentClaims", "ResidentDep", "current_resident"]


def current_resident(
    request: Request,
    kiosk: KioskCaller,
    x_resident_session: Annotated[str | None, Header()] = None,
) -> ResidentClaims:
    sessions = getattr(request.app.state, "resident_sessions", None)
    claims = sessions.touch(x_resident_session, kiosk.username) if (
        sessions is not None and x_resident_session) else None
    if claims is None:
        raise ApiProblem(401, "session_expired",
                         "no resident is logged in at this kiosk (or the session ended): "
                         "log in again with your card or flat and PIN")
    return claims


ResidentDep = Annotated[ResidentClaims, Depends(current_resident)]
