"""A flat's fee account from its statements, billed order charges and payments (pure; amounts
in fen, 1/100 yuan).

Payments are applied to the oldest debt first (that is how the cashier explains it to a
resident): statements in period order, and a billed order charge before any statement that
falls due after it. balance = paid - charged (negative: the flat owes); arrears = what is
unpaid on debts whose due date has passed. Pending and void order charges are not debts: the
service calls them with the billed ones only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["Account", "ChargeState", "StatementState", "account"]


def _status(total: int, paid: int) -> str:
    return "paid" if paid >= total else ("part" if paid > 0 else "unpaid")


@dataclass(frozen=True)
class StatementState:
    period: str
    total: int
    paid: int
    due: date

    @property
    def status(self) -> str:
        return _status(self.total, self.paid)


@dataclass(frozen=True)
class ChargeState:
    """A billed order charge, by its key (the request's id)."""

    key: int
    total: int
    paid: int
    due: date

    @property
    def status(self) -> str:
        return _status(self.total, self.paid)


@dataclass(frozen=True)
class Account:
    balance: int
    arrears: int
    statements: tuple[StatementState, ...]  # oldest first
    charges: tuple[ChargeState, ...] = ()  # oldest first


def account(statements: Sequence[tuple[str, int, date]], payments: Sequence[int],
            today: date, charges: Sequence[tuple[int, int, date]] = ()) -> Account:
    """`statements` as (period, total, due), `charges` (billed ones) as (key, total, due), any
    order; `payments` as amounts."""
    ordered_statements = sorted(statements, key=lambda s: (s[0], s[2]))
    waiting = sorted(charges, key=lambda c: (c[2], c[0]))
    debts: list[tuple[str, int | str, int, date]] = []
    for period, total, due in ordered_statements:
        while waiting and waiting[0][2] < due:
            ref, amount, when = waiting.pop(0)
            debts.append(("charge", ref, amount, when))
        debts.append(("statement", period, total, due))
    debts += [("charge", ref, amount, when) for ref, amount, when in waiting]

    left = sum(payments)
    out_statements: list[StatementState] = []
    out_charges: list[ChargeState] = []
    for kind, name, total, due in debts:
        paid = min(left, total)
        left -= paid
        if kind == "statement":
            out_statements.append(StatementState(str(name), total, paid, due))
        else:
            out_charges.append(ChargeState(int(name), total, paid, due))
    charged = sum(d[2] for d in debts)
    arrears = sum(x.total - x.paid for x in out_statements if x.due < today) + sum(
        x.total - x.paid for x in out_charges if x.due < today)
    return Account(sum(payments) - charged, arrears, tuple(out_statements), tuple(out_charges))
