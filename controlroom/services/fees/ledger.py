"""A flat's fee account from its statements and payments (pure; amounts in fen, 1/100 yuan).

Payments are applied to the oldest statement first (that is how the cashier explains it to
a resident). balance = paid - charged (negative: the flat owes); arrears = what is unpaid on
statements whose due date has passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["Account", "StatementState", "account"]


@dataclass(frozen=True)
class StatementState:
    period: str
    total: int
    paid: int
    due: date

    @property
    def status(self) -> str:
        return "paid" if self.paid >= self.total else ("part" if self.paid > 0 else "unpaid")


@dataclass(frozen=True)
class Account:
    balance: int
    arrears: int
    statements: tuple[StatementState, ...]  # oldest first


def account(statements: Sequence[tuple[str, int, date]], payments: Sequence[int],
            today: date) -> Account:
    """`statements` as (period, total, due), any order; `payments` as amounts."""
    left = sum(payments)
    out = []
    for period, total, due in sorted(statements, key=lambda s: (s[0], s[2])):
        paid = min(left, total)
        left -= paid
        out.append(StatementState(period, total, paid, due))
    charged = sum(s.total for s in out)
    arrears = sum(s.total - s.paid for s in out if s.due < today)
    return Account(sum(payments) - charged, arrears, tuple(out))
