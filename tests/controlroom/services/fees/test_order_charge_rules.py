"""The pure parts of paid orders on the fee account: the charge follows its request (pending,
billed on completion, void on cancel) and billed charges take payments oldest debt first with
the statements."""

from __future__ import annotations

from datetime import date

import pytest

from controlroom.services.fees.charges import CHARGE_DUE_DAYS, charge_due, next_charge_state
from controlroom.services.fees.ledger import account

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(("state", "action", "after"), [
    ("pending", "complete", "billed"),
    ("pending", "cancel", "void"),
    ("billed", "reopen", "pending"),
    ("pending", "assign", None),
    ("pending", "start", None),
    ("billed", "accept", None),
    ("billed", "cancel", None),  # a completed request cannot be cancelled: the bill stands
    ("void", "complete", None),
])
def test_the_charge_follows_its_request(state: str, action: str, after: str | None) -> None:
    assert next_charge_state(state, action) == after


def test_a_billed_order_falls_due_a_statement_cycle_after_completion() -> None:
    assert charge_due(date(2026, 11, 22)) == date(2026, 12, 22)
    assert CHARGE_DUE_DAYS == 30


def test_a_billed_charge_counts_in_the_balance_and_in_arrears_once_due() -> None:
    acc = account([], [], TODAY, [(7, 8000, date(2026, 12, 22))])
    assert acc.balance == -8000 and acc.arrears == 0
    assert [(c.key, c.paid, c.status) for c in acc.charges] == [(7, 0, "unpaid")]
    late = account([], [], date(2026, 12, 23), [(7, 8000, date(2026, 12, 22))])
    assert late.arrears == 8000


def test_payments_go_to_the_oldest_debt_first_charges_and_statements_together() -> None:
    statements = [("2026-10", 30000, date(2026, 11, 15)), ("2026-11", 30000, date(2026, 12, 15))]
    charges = [(9, 8000, date(2026, 12, 1)), (3, 15000, date(2026, 11, 1))]
    acc = account(statements, [40000], TODAY, charges)
    # due 11-01 (charge 3), 11-15 (October), 12-01 (charge 9), 12-15 (November)
    assert [(c.key, c.paid, c.status) for c in acc.charges] == [
        (3, 15000, "paid"), (9, 0, "unpaid")]
    assert [(s.period, s.paid, s.status) for s in acc.statements] == [
        ("2026-10", 25000, "part"), ("2026-11", 0, "unpaid")]
    assert acc.balance == 40000 - 83000
    assert acc.arrears == 5000  # only October is past due and unpaid


def test_without_charges_the_account_is_what_it_was() -> None:
    statements = [("2026-10", 32050, date(2026, 11, 15)), ("2026-09", 30000, date(2026, 10, 15))]
    acc = account(statements, [30000], TODAY)
    assert acc.charges == ()
    assert [(s.period, s.paid) for s in acc.statements] == [("2026-09", 30000), ("2026-10", 0)]
    assert acc.balance == -32050 and acc.arrears == 32050
