"""Paid orders charged to the flat (issue 16): a fixed-price menu item ordered is a pending
charge, billed when the service is completed and void if the order is cancelled.

`next_charge_state` is the rule (pure); `OrderCharges.request_step` applies it inside the
request's own transaction (the requests service calls it for every step: app.py wires it), so
a request and its charge never disagree. Items priced on quote get no automatic charge: the
desk bills the agreed price on a statement. Every change is an `AuditEntry` (fee.charge*).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Site
from controlroom.core.audit import audit
from controlroom.services.fees.models import FeeCharge

if TYPE_CHECKING:
    from controlroom.services.requests.models import ServiceRequest

__all__ = ["CHARGE_DUE_DAYS", "OrderCharges", "charge_due", "next_charge_state"]

# A billed order falls due this many days after the service was completed: about one monthly
# statement cycle, so a resident who pays their fees each month pays the order with them
# (docs/decisions.md).
CHARGE_DUE_DAYS = 30

# request step -> (the charge states it applies to, the state it leads to)
_STEPS: dict[str, tuple[frozenset[str], str]] = {
    "complete": (frozenset({"pending"}), "billed"),
    # The resident did not accept the work: it is not done, so it is not billed yet.
    "reopen": (frozenset({"billed"}), "pending"),
    "cancel": (frozenset({"pending"}), "void"),
}


def next_charge_state(state: str, action: str) -> str | None:
    """The charge's state after the request's step `action`, or None if it does not change."""
    rule = _STEPS.get(action)
    if rule is None or state not in rule[0]:
        return None
    return rule[1]


def charge_due(completed_on: date) -> date:
    return completed_on + timedelta(days=CHARGE_DUE_DAYS)


def _yuan(amount_fen: int) -> str:
    return f"{amount_fen / 100:.2f} CNY"


class OrderCharges:
    def __init__(self, site: Site) -> None:
        self.tz = ZoneInfo(site.timezone)
        # menu item id -> price in fen, for the fixed-price items only (not quote, not free)
        self.prices = {it.id: round(it.price * 100) for m in site.menus for it in m.items
                       if it.price is not None and it.price > 0 and not it.quote}

    def request_step(self, s: Session, req: ServiceRequest, action: str, actor: str,
                     now: datetime) -> None:
        """Called by the requests service in the step's transaction ("received" on create)."""
        if action == "received":
            self._charge(s, req, actor, now)
            return
        charge = s.scalar(select(FeeCharge).where(FeeCharge.request_id == req.id))
        if charge is None:
            return
        after = next_charge_state(charge.state, action)
        if after is None:
            return
        charge.state = after
        if after == "billed":
            charge.billed_at = now
            charge.due = charge_due(now.astimezone(self.tz).date())
            detail = f"billed {_yuan(charge.amount_fen)} due {charge.due}"
        elif after == "pending":
            charge.billed_at, charge.due = None, None
            detail = "back to pending: the work was reopened"
        else:
            detail = f"void: the order was cancelled ({_yuan(charge.amount_fen)} not charged)"
        audit(s, now, actor[:64], f"fee.charge_{after}", f"unit:{req.unit}",
              f"order {req.number} {req.title_en}: {detail}")

    def _charge(self, s: Session, req: ServiceRequest, actor: str, now: datetime) -> None:
        price = self.prices.get(req.item or "")
        if price is None or req.type not in ("service_order", "assistance"):
            return
        s.add(FeeCharge(unit=req.unit, request_id=req.id, request_number=req.number,
                        label_zh=req.title_zh[:100], label_en=req.title_en[:100],
                        amount_fen=price, state="pending", created_at=now))
        audit(s, now, actor[:64], "fee.charge", f"unit:{req.unit}",
              f"order {req.number} {req.title_en}: {_yuan(price)} pending, billed when the "
              "service is done")
