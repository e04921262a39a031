"""Fee accounts (staff): statements and payments are written here; residents only read
theirs at the kiosk (GET /api/kiosk/fees)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from controlroom.api.deps import DeskStaff, FeesDep
from controlroom.core.errors import NotFound, problems
from controlroom.services.fees.schemas import (
    AccountPublic,
    ArrearPublic,
    ArrearsOut,
    PaymentIn,
    PaymentOut,
    StatementIn,
)
from controlroom.services.fees.service import FeeService, yuan

router = APIRouter(prefix="/api/fees", tags=["fees"])
ERRORS = problems(401, 403, 404, 409, 410, 422)


def _known(svc: FeeService, unit: str) -> None:
    if unit not in svc.site.units:
        raise NotFound(f"there is no flat {unit!r} at this site", code="not_found")


@router.get("", response_model=ArrearsOut, responses=ERRORS)
def read_arrears(svc: FeesDep, _: DeskStaff) -> ArrearsOut:
    """The arrears list: every flat with an overdue amount today, the largest first."""
    rows = svc.arrears()
    return ArrearsOut(data=[ArrearPublic(**r) for r in rows],
                      total=round(sum(r["arrears"] for r in rows), 2))


@router.get("/{unit}", response_model=AccountPublic, responses=ERRORS)
def read_account(unit: str, svc: FeesDep, _: DeskStaff) -> dict[str, Any]:
    _known(svc, unit)
    return svc.statement_of(unit)


@router.post("/{unit}/statements", status_code=201, response_model=AccountPublic,
             responses=ERRORS)
def add_statement(unit: str, body: StatementIn, svc: FeesDep, who: DeskStaff
                  ) -> dict[str, Any]:
    _known(svc, unit)
    svc.add_statement(who.username, unit, body.period, body.due,
                      [c.model_dump() for c in body.charges])
    return svc.statement_of(unit)


@router.post("/{unit}/payments", status_code=201, response_model=PaymentOut,
             responses=ERRORS)
def record_payment(unit: str, body: PaymentIn, svc: FeesDep, who: DeskStaff) -> dict[str, Any]:
    _known(svc, unit)
    p = svc.record_payment(who.username, unit, body.amount, body.method, body.note)
    return {"payment": {"id": p.id, "at": p.at.isoformat(), "amount": yuan(p.amount_fen),
                        "method": p.method, "recorded_by": p.recorded_by},
            "account": svc.statement_of(unit)}
