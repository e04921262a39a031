"""The quarantine (ARCHITECTURE §4): the gateway posts what it rejected
(`POST /api/gateway/quarantine`), maintenance reads the last entries per reason
(`GET /api/quarantine`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from controlroom.alarms.quarantine import CUT, KEEP, QuarantineService, decode_payload
from controlroom.api.deps import GatewayCaller, require
from controlroom.core.errors import problems
from controlroom.core.security import TokenClaims

QUARANTINE_READERS = ("maintenance", "supervisor", "admin")
QuarantineReader = Annotated[TokenClaims, Depends(require(*QUARANTINE_READERS))]


def _service(request: Request) -> QuarantineService:
    svc = getattr(request.app.state, "quarantine", None)
    if svc is None:
        svc = request.app.state.quarantine = QuarantineService(request.app.state.sessions)
    return svc  # type: ignore[no-any-return]


QuarantineDep = Annotated[QuarantineService, Depends(_service)]


class RejectedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: AwareDatetime
    reason: str = Field(min_length=1, max_length=64)
    source: str = Field(max_length=300)
    device: str | None = Field(default=None, max_length=64)
    detail: str = Field(max_length=2000)
    payload_b64: str = Field(max_length=4 * (CUT + 2) // 3 + 4)  # the first 1 KiB, base64
    size: int = Field(ge=0)


class RejectedBatchIn(BaseModel):
    entries: list[RejectedIn] = Field(max_length=1000)


class StoredOut(BaseModel):
    stored: int


class QuarantinedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: AwareDatetime
    gateway: str
    reason: str
    source: str
    device: str | None
    detail: str
    payload: str  # escaped text of the first 1 KiB
    size: int
    cut: bool


class QuarantineOut(BaseModel):
    keep_per_reason: int
    counts: dict[str, int]
    data: list[QuarantinedOut]


router = APIRouter(tags=["quarantine"], responses=problems(401, 403, 422))


@router.post("/api/gateway/quarantine", response_model=StoredOut)
def post_quarantine(body: RejectedBatchIn, svc: QuarantineDep, who: GatewayCaller
                    ) -> StoredOut:
    entries = [{**e.model_dump(exclude={"payload_b64"}), "payload": decode_payload(
        e.payload_b64)} for e in body.entries]
    return StoredOut(stored=svc.add(who.username, entries))


@router.get("/api/quarantine", response_model=QuarantineOut)
def read_quarantine(svc: QuarantineDep, _: QuarantineReader, reason: str | None = None
                    ) -> QuarantineOut:
    """The last entries per reason, newest first within a reason."""
    rows = svc.list(reason)
    return QuarantineOut(keep_per_reason=KEEP, counts=svc.counts(), data=[
        QuarantinedOut(id=r.id, at=r.at, gateway=r.gateway, reason=r.reason, source=r.source,
                       device=r.device, detail=r.detail, payload=r.payload, size=r.size,
                       cut=r.size > CUT) for r in rows])
