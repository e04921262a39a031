"""Plain-value tests of the held-item rules: pickup codes, intake, release, reminders,
reconciliation, the fee ledger and the pickup lockout."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from controlroom.core.lockout import Lockout
from controlroom.services.desk.intake import VALUABLES_WARNING, intake_decision
from controlroom.services.desk.pickup_codes import CodeSpaceExhausted, is_weak, new_code
from controlroom.services.desk.reconciliation import reconcile
from controlroom.services.desk.release_rules import ItemFacts, release_allowed, valid_id_number
from controlroom.services.desk.reminders import Period, due_notice, lent_follow_up_due, schedule
from controlroom.services.fees.ledger import account

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ID = "110101199003074514"

# -- pickup codes -------------------------------------------------------------------------------


def test_a_code_is_six_digits_and_never_one_already_taken() -> None:
    taken: set[str] = set()
    for _ in range(5000):
        code = new_code(taken)
        assert len(code) == 6 and code.isdigit()
        assert code not in taken
        taken.add(code)


def test_a_clash_with_an_open_item_draws_again() -> None:
    draws = iter([483920, 483920, 7])
    assert new_code({"483920"}, randbelow=lambda _n: next(draws)) == "000007"


def test_weak_codes_are_never_issued() -> None:
    assert is_weak("000000") and is_weak("123456") and is_weak("987654")
    assert not is_weak("483920")
    draws = iter([123456, 111111, 483920])
    assert new_code(set(), randbelow=lambda _n: next(draws)) == "483920"


def test_a_full_code_space_is_an_error_not_a_loop() -> None:
    with pytest.raises(CodeSpaceExhausted):
        new_code({"000042"}, randbelow=lambda _n: 42)


def test_codes_are_spread_evenly_over_every_digit_position() -> None:
    codes = [new_code(()) for _ in range(20000)]
    for pos in range(6):
        counts = Counter(c[pos] for c in codes)
        assert set(counts) == set("0123456789")
        # 2000 expected per digit; 5 sigma is about 210.
        assert all(abs(n - 2000) < 300 for n in counts.values()), counts


def test_neighbouring_codes_say_nothing_about_each_other() -> None:
    codes = [int(new_code(())) for _ in range(20000)]
    gaps = [b - a for a, b in itertools.pairwise(codes)]
    # Not counted up: successive differences vary and are as often down as up.
    assert len(set(gaps)) > 19000
    ups = sum(g > 0 for g in gaps)
    assert 9400 < ups < 10600
    # No linear relation between one code and the next.
    r = statistics.correlation(codes[:-1], codes[1:])
    assert abs(r) < 0.05
    # Neighbours are as far apart as two random numbers (mean |gap| ~ 333,333).
    assert 300_000 < statistics.mean(abs(g) for g in gaps) < 366_000


# -- intake ------------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["dangerous", "perishable", "insect_prone", "smelly"])
@pytest.mark.parametrize("kind", ["parcel", "deposit", "handover", "key"])
def test_dangerous_perishable_insect_prone_and_smelly_items_are_refused(kind: str,
                                                                         flag: str) -> None:
    d = intake_decision(kind, [flag])
    assert not d.accepted and d.refused == (flag,)
    assert d.reason_en.startswith("Refused") and "supervisor" in d.reason_en


def test_cash_and_valuables_are_refused_for_handover_but_deposits_get_the_warning() -> None:
    for flag in ("cash", "valuables"):
        assert not intake_decision("handover", [flag]).accepted
    d = intake_decision("handover", ["cash", "smelly"])
    assert d.refused == ("smelly", "cash") and "转交" in d.reason_zh
    deposit = intake_decision("deposit", ["valuables"])
    assert deposit.accepted and deposit.warnings == ("valuables",)
    assert "贵重物品" in VALUABLES_WARNING["zh"] and "valuables" in VALUABLES_WARNING["en"]


def test_an_ordinary_parcel_is_accepted_without_a_warning() -> None:
    d = intake_decision("parcel", [])
    assert d.accepted and d.refused == () and d.warnings == ()


def test_unknown_flags_and_kinds_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown flag"):
        intake_decision("parcel", ["explosive"])
    with pytest.raises(ValueError, match="kind must be"):
        intake_decision("letter", [])


# -- release rules -----------------------------------------------------------------------------

PARCEL = ItemFacts(kind="parcel", pieces=2, code="483920")
HANDOVER = ItemFacts(kind="handover", pieces=1, code="551204")
ENTITLED = ("陈桂芳", "陈志强", "刘敏")


def test_a_parcel_is_released_at_the_kiosk_with_its_code_and_pieces() -> None:
    assert release_allowed(PARCEL, "kiosk", "483920", 2, None).ok
    assert release_allowed(PARCEL, "kiosk", "483921", 2, None).code == "wrong_code"
    assert release_allowed(PARCEL, "kiosk", "483920", 1, None).code == "pieces_mismatch"


def test_a_released_item_is_never_released_again() -> None:
    done = ItemFacts(kind="parcel", pieces=2, code="483920", released=True)
    for channel in ("kiosk", "desk"):
        assert release_allowed(done, channel, "483920", 2, ID, "陈桂芳", ENTITLED
                               ).code == "already_collected"


def test_handovers_and_keys_go_to_the_desk_against_an_id_number() -> None:
    key = ItemFacts(kind="key", pieces=1, code="551205")
    for item in (HANDOVER, key):
        assert release_allowed(item, "kiosk", item.code, 1, None).code == "desk_only"
        assert release_allowed(item, "desk", item.code, 1, None, "陈桂芳", ENTITLED
                               ).code == "id_required"
        assert release_allowed(item, "desk", None, 1, ID, "陈桂芳", ENTITLED).ok


def test_proxy_pickup_only_by_a_named_emergency_contact_with_id() -> None:
    assert release_allowed(HANDOVER, "desk", None, 1, ID, "陈 志强", ENTITLED).ok
    assert release_allowed(HANDOVER, "desk", None, 1, ID, "王五", ENTITLED
                           ).code == "not_entitled"
    # A parcel without its code: the same, for the flat's people only.
    assert release_allowed(PARCEL, "desk", None, 2, ID, "刘敏", ENTITLED).ok
    assert release_allowed(PARCEL, "desk", None, 2, None, "刘敏", ENTITLED).code == "id_required"
    # With the claim stub (code) whoever holds it collects, as on paper.
    assert release_allowed(PARCEL, "desk", "483920", 2, None).ok


def test_a_vacation_hold_keeps_items_at_the_desk() -> None:
    held = ItemFacts(kind="parcel", pieces=2, code="483920", on_hold=True)
    assert release_allowed(held, "kiosk", "483920", 2, None).code == "desk_only"
    assert release_allowed(held, "desk", "483920", 2, None).code == "on_hold"


def test_id_numbers_look_like_an_id_card_or_passport() -> None:
    assert valid_id_number(ID) and valid_id_number("11010119900307451X")
    assert valid_id_number("E12345678")
    assert not valid_id_number("") and not valid_id_number(None) and not valid_id_number("12")


# -- the pickup lockout (10 wrong codes at a kiosk within 2 min lock it for 2 min) -------------


def test_ten_wrong_codes_lock_pickup_at_that_kiosk_for_two_minutes() -> None:
    lock = Lockout(max_failures=10, window_s=120, lock_s=120)
    for i in range(9):
        assert lock.fail(("pickup", "kiosk-1"), 1000.0 + i).attempts_left == 9 - i
    tenth = lock.fail(("pickup", "kiosk-1"), 1010.0)
    assert tenth.locked and tenth.retry_after_s == 120
    assert not lock.check(("pickup", "kiosk-2"), 1011.0).locked  # the other kiosk is free
    assert lock.check(("pickup", "kiosk-1"), 1129.0).locked
    assert not lock.check(("pickup", "kiosk-1"), 1130.0).locked


def test_wrong_codes_spread_over_more_than_two_minutes_do_not_lock() -> None:
    lock = Lockout(max_failures=10, window_s=120, lock_s=120)
    for i in range(30):
        assert not lock.fail(("pickup", "kiosk-1"), 1000.0 + i * 15).locked


# -- reminders ---------------------------------------------------------------------------------


def _run(until_days: float, holds: list[Period] = (), step_h: float = 1
         ) -> dict[str, datetime]:
    sent: dict[str, datetime] = {}
    now = T0
    while now <= T0 + timedelta(days=until_days):
        kind = due_notice(T0, now, sent, holds)
        if kind:
            sent[kind] = now
        now += timedelta(hours=step_h)
    return sent


def test_reminder_at_14_days_final_notice_48h_before_the_30_day_report() -> None:
    assert schedule(T0) == {"reminder": T0 + timedelta(days=14),
                            "final_notice": T0 + timedelta(days=28),
                            "supervisor_report": T0 + timedelta(days=30)}
    sent = _run(40)
    assert sent == schedule(T0)
    assert sent["supervisor_report"] - sent["final_notice"] >= timedelta(hours=48)


def test_nothing_before_14_days_and_each_notice_once() -> None:
    assert _run(13.9) == {}
    assert due_notice(T0, T0 + timedelta(days=15), {"reminder": T0 + timedelta(days=14)}) is None


def test_the_report_waits_48h_after_a_late_final_notice() -> None:
    # The job was down from day 10 to day 31: the final notice goes first, the report 48h on.
    late = T0 + timedelta(days=31)
    assert due_notice(T0, late, {}) == "final_notice"
    sent = {"final_notice": late}
    assert due_notice(T0, late + timedelta(hours=47), sent) is None
    assert due_notice(T0, late + timedelta(hours=48), sent) == "supervisor_report"


def test_a_vacation_hold_pauses_the_reminders_and_the_30_day_clock() -> None:
    hold = Period(T0 + timedelta(days=10), T0 + timedelta(days=20))
    sent = _run(45, [hold])
    assert sent["reminder"] == T0 + timedelta(days=24)  # 14 days of waiting, 10 on hold
    assert sent["supervisor_report"] == T0 + timedelta(days=40)
    open_hold = Period(T0 + timedelta(days=1), None)
    assert _run(60, [open_hold]) == {}


def test_lent_items_are_followed_up_after_3_days_then_daily_until_returned() -> None:
    assert not lent_follow_up_due(T0, T0 + timedelta(days=2, hours=23), False, None)
    assert lent_follow_up_due(T0, T0 + timedelta(days=3), False, None)
    last = T0 + timedelta(days=3)
    assert not lent_follow_up_due(T0, last + timedelta(hours=23), False, last)
    assert lent_follow_up_due(T0, last + timedelta(hours=24), False, last)
    assert not lent_follow_up_due(T0, T0 + timedelta(days=9), True, None)


# -- reconciliation and fees -------------------------------------------------------------------


def test_reconciliation_names_what_is_missing_and_what_is_unexpected() -> None:
    r = reconcile(["A1", "A2", "A3"], ["A1", "A3", "Z9"])
    assert r.missing == ("A2",) and r.unexpected == ("Z9",) and r.checked == 3
    assert not r.clean and reconcile(["A1"], ["A1"]).clean


def test_payments_settle_the_oldest_statement_first_and_arrears_are_past_due_only() -> None:
    acc = account([("2026-10", 32050, date(2026, 11, 15)), ("2026-09", 30000, date(2026, 10, 15)),
                   ("2026-11", 32050, date(2026, 12, 15))], [30000, 10000], date(2026, 11, 22))
    assert [(s.period, s.paid, s.status) for s in acc.statements] == [
        ("2026-09", 30000, "paid"), ("2026-10", 10000, "part"), ("2026-11", 0, "unpaid")]
    assert acc.balance == 40000 - 94100
    assert acc.arrears == 22050  # November's statement is not due yet
