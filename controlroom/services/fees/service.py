"""Fee accounts: statements and payments per flat, written by staff, read by residents, and
the paid orders charged to the flat (written by charges.py as the orders move).

The arithmetic is fee_ledger's; amounts are kept in fen and shown in yuan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.errors import Conflict, Invalid
from controlroom.services.fees.ledger import ChargeState, account
from controlroom.services.fees.models import FeeCharge, FeePayment, FeeStatement

__all__ = ["FeeService", "fen", "yuan"]


def fen(amount: float) -> int:
    return round(amount * 100)


def yuan(amount_fen: int) -> float:
    return amount_fen / 100


class FeeService:
    def __init__(self, sessions: sessionmaker, site: Site, today: Callable[[], date],
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.today = today  # the site's calendar date (arrears fall due by it)
        self.now = now

    def _unit(self, unit: str) -> None:
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r} at this site", code="unknown_unit")

    def add_statement(self, actor: str, unit: str, period: str, due: date,
                      charges: list[dict[str, Any]]) -> FeeStatement:
        self._unit(unit)
        now = self.now()
        rows = [{"label_zh": c["label_zh"], "label_en": c["label_en"],
                 "amount_fen": fen(c["amount"])} for c in charges]
        with self.sessions.begin() as s:
            if s.scalar(select(FeeStatement).where(FeeStatement.unit == unit,
                                                   FeeStatement.period == period)):
                raise Conflict(f"{unit} already has a statement for "
                               f"{period}", code="duplicate")
            st = FeeStatement(unit=unit, period=period, due=due, charges=rows, created_at=now,
                              created_by=actor)
            s.add(st)
            s.flush()
            total = sum(r["amount_fen"] for r in rows)
            audit(s, now, actor, "fee.statement", f"unit:{unit}",
                  f"statement {period}: {yuan(total):.2f} CNY due {due}")
            return st

    def record_payment(self, actor: str, unit: str, amount: float, method: str, note: str
                       ) -> FeePayment:
        self._unit(unit)
        now = self.now()
        try:
            with self.sessions.begin() as s:
                p = FeePayment(unit=unit, at=now, amount_fen=fen(amount), method=method,
                               recorded_by=actor, note=note)
                s.add(p)
                s.flush()
                audit(s, now, actor, "fee.payment", f"unit:{unit}",
                      f"payment {amount:.2f} CNY by {method}" + (f": {note}" if note
                      else ""))
                return p
        except IntegrityError as exc:  # pragma: no cover - no constraint should trip
            raise Conflict(str(exc.orig), code="conflict") from None

    def statement_of(self, unit: str) -> dict[str, Any]:
        """The flat's account as the kiosk contract shows it (docs/api/kiosk.md)."""
        with self.sessions() as s:
            statements = list(s.scalars(select(FeeStatement).where(FeeStatement.unit == unit)
                                        .order_by(FeeStatement.period)))
            payments = list(s.scalars(select(FeePayment).where(FeePayment.unit == unit)
                                      .order_by(FeePayment.at)))
            orders = list(s.scalars(select(FeeCharge).where(FeeCharge.unit == unit)
                                    .order_by(FeeCharge.created_at, FeeCharge.id)))
        totals = {st.period: sum(c["amount_fen"] for c in st.charges) for st in statements}
        billed = [(o.request_id, o.amount_fen, o.due) for o in orders
                  if o.state == "billed" and o.due is not None]
        acc = account([(st.period, totals[st.period], st.due) for st in statements],
                      [p.amount_fen for p in payments], self.today(), billed)
        state = {x.period: x for x in acc.statements}
        paid = {x.key: x for x in acc.charges}
        return {
            "unit": unit, "balance": yuan(acc.balance), "arrears": yuan(acc.arrears),
            "currency": "CNY",
            "statements": [{
                "period": st.period,
                "charges": [{"label_zh": c["label_zh"], "label_en": c["label_en"],
                             "amount": yuan(c["amount_fen"])} for c in st.charges],
                "paid": yuan(state[st.period].paid), "due": st.due.isoformat(),
                "status": state[st.period].status,
            } for st in reversed(statements)],  # newest first, as a bill is read
            "payments": [{"at": p.at.isoformat(), "amount": yuan(p.amount_fen),
                          "method": p.method} for p in reversed(payments)],
            "order_charges": [_order(o, paid.get(o.request_id)) for o in reversed(orders)],
        }

    def arrears(self) -> list[dict[str, Any]]:
        """Every flat in arrears today: {unit, arrears, balance}, the largest first."""
        with self.sessions() as s:
            units = set(s.scalars(select(FeeStatement.unit).distinct()))
            units |= set(s.scalars(select(FeeCharge.unit).where(FeeCharge.state == "billed")
                                   .distinct()))
        out = []
        for unit in sorted(units):
            acc = self.statement_of(unit)
            if acc["arrears"] > 0:
                out.append({"unit": unit, "arrears": acc["arrears"], "balance": acc["balance"]})
        return sorted(out, key=lambda x: (-x["arrears"], x["unit"]))

    def has_any(self) -> bool:
        with self.sessions() as s:
            return s.scalar(select(FeeStatement.id).limit(1)) is not None


def _order(o: FeeCharge, billed: ChargeState | None) -> dict[str, Any]:
    """A paid order's charge as the kiosk contract shows it: `status` as a statement's while
    billed; `paid` is what payments covered (0 unless billed)."""
    status = billed.status if billed is not None else o.state  # pending, void
    return {"request_id": o.request_id, "request_number": o.request_number,
            "label_zh": o.label_zh, "label_en": o.label_en, "amount": yuan(o.amount_fen),
            "state": o.state, "created_at": o.created_at.isoformat(),
            "billed_at": o.billed_at.isoformat() if o.billed_at else None,
            "due": o.due.isoformat() if o.due else None,
            "paid": yuan(billed.paid) if billed is not None else 0.0, "status": status}
