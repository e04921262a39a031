"""The audit log, read by supervisors and administrators: who did what to which thing, when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from controlroom.api.deps import require
from controlroom.core.audit import search
from controlroom.core.clock import as_utc
from controlroom.core.errors import Invalid, problems
from controlroom.core.security import TokenClaims

router = APIRouter(prefix="/api/audit", tags=["audit"])
AuditReader = Annotated[TokenClaims, Depends(require("supervisor", "admin"))]


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


class AuditOut(BaseModel):
    data: list[AuditEntryPublic]
    count: int


@router.get("", response_model=AuditOut, responses=problems(401, 403, 422))
def read_audit(
        request: Request, _: AuditReader,
        actor: Annotated[str | None, Query(max_length=64)] = None,
        target: Annotated[str | None, Query(max_length=128, description="exact, or a prefix "
                                            "ending in ':' (alert: is every alert)")] = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
        since: datetime | None = None, until: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> AuditOut:
    """Newest first; `since` inclusive, `until` exclusive (ISO 8601 with an offset)."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise Invalid(f"{name}: give the time with its offset, e.g. +08:00", code="invalid")
    with request.app.state.sessions() as s:
        rows = search(s, actor, target, action, as_utc(since) if since else None,
                      as_utc(until) if until else None, limit)
        data = [AuditEntryPublic.model_validate(r) for r in rows]
    return AuditOut(data=data, count=len(data))
