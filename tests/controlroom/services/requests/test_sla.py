"""The promises' clocks as plain values: deadlines per type, working days, overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from config import SlaSettings
from controlroom.services.requests.sla import (
    Promise,
    WorkingCalendar,
    deadlines,
    met_by,
    missed,
    next_promise,
    overdue,
    sla_class,
)

DEFAULTS = SlaSettings()
SHANGHAI = WorkingCalendar("Asia/Shanghai",
                           holidays=[date(2026, 10, d) for d in range(1, 8)],
                           workdays=[date(2026, 9, 27)])


def cst(*args: int) -> datetime:
    """A Shanghai wall-clock time as UTC (UTC+8, no summer time)."""
    return datetime(*args, tzinfo=UTC) - timedelta(hours=8)  # type: ignore[misc]


def due(promises: tuple[Promise, ...]) -> dict[str, datetime]:
    return {p.name: p.due for p in promises}


T = cst(2026, 11, 23, 9, 0)  # a Monday morning


def test_every_request_is_answered_within_10_minutes() -> None:
    for kind in ("enquiry", "suggestion", "help", "assistance", "service_order"):
        assert due(deadlines(kind, "ordinary", T, DEFAULTS, SHANGHAI)) == {
            "respond": T + timedelta(minutes=10)}


def test_a_repair_has_a_technician_on_site_in_15_minutes_an_urgent_one_in_30() -> None:
    assert due(deadlines("repair", "ordinary", T, DEFAULTS, SHANGHAI)) == {
        "respond": T + timedelta(minutes=10), "on_site": T + timedelta(minutes=15)}
    assert due(deadlines("urgent_repair", "ordinary", T, DEFAULTS, SHANGHAI))["on_site"] == (
        T + timedelta(minutes=30))


def test_a_menu_order_runs_on_its_items_clock() -> None:
    assert sla_class("service_order", "urgent_repair") == "urgent_repair"
    assert sla_class("service_order", "paid") == "request"
    promises = deadlines("service_order", "ordinary", T, DEFAULTS, SHANGHAI, item_sla="repair")
    assert due(promises)["on_site"] == T + timedelta(minutes=15)


def test_an_ordinary_complaint_staff_on_site_1h_resolved_8h_feedback_24h() -> None:
    promises = deadlines("complaint", "ordinary", T, DEFAULTS, SHANGHAI)
    assert [p.name for p in promises] == ["respond", "on_site", "resolve", "feedback"]
    assert due(promises) == {
        "respond": T + timedelta(minutes=10), "on_site": T + timedelta(hours=1),
        "resolve": T + timedelta(hours=8), "feedback": T + timedelta(hours=24)}


def test_a_serious_complaint_is_resolved_within_5_working_days() -> None:
    # Monday 09:00 -> the next Monday 09:00 (Tue..Fri, Mon)
    assert due(deadlines("complaint", "serious", T, DEFAULTS, SHANGHAI))["resolve"] == (
        cst(2026, 11, 30, 9, 0))


def test_a_complaint_on_friday_evening_skips_the_weekend() -> None:
    friday = cst(2026, 11, 27, 18, 30)
    assert SHANGHAI.add_working_days(friday, 1) == cst(2026, 11, 30, 18, 30)
    assert SHANGHAI.add_working_days(friday, 5) == cst(2026, 12, 4, 18, 30)


def test_a_complaint_on_saturday_counts_from_monday() -> None:
    assert SHANGHAI.add_working_days(cst(2026, 11, 28, 10, 0), 5) == cst(2026, 12, 4, 10, 0)


def test_the_national_day_holidays_are_not_working_days_and_the_makeup_sunday_is() -> None:
    assert not SHANGHAI.is_working_day(date(2026, 10, 1))
    assert SHANGHAI.is_working_day(date(2026, 9, 27))  # a Sunday worked (调休)
    # Received Wednesday 30 September: Thursday 1 to Wednesday 7 October are holidays.
    assert SHANGHAI.add_working_days(cst(2026, 9, 30, 14, 0), 5) == cst(2026, 10, 14, 14, 0)
    # Received Saturday 26 September: the make-up Sunday is the first working day.
    assert SHANGHAI.add_working_days(cst(2026, 9, 26, 14, 0), 1) == cst(2026, 9, 27, 14, 0)


def test_working_days_are_counted_on_the_sites_dates_not_utc() -> None:
    # 01:00 on Saturday in Shanghai is still Friday in UTC: the count starts from Saturday.
    saturday_early = cst(2026, 11, 28, 1, 0)
    assert saturday_early.weekday() == 4  # Friday, in UTC
    assert SHANGHAI.add_working_days(saturday_early, 1) == cst(2026, 11, 30, 1, 0)


def test_site_settings_change_the_clocks() -> None:
    strict = SlaSettings(complaint_feedback_h=4, respond_min=5)
    assert due(deadlines("complaint", "ordinary", T, strict, SHANGHAI))["feedback"] == (
        T + timedelta(hours=4))
    assert due(deadlines("help", "ordinary", T, strict, SHANGHAI))["respond"] == (
        T + timedelta(minutes=5))


def test_overdue_once_a_deadline_passes_unkept_and_not_after_it_is_kept() -> None:
    promises = deadlines("repair", "ordinary", T, DEFAULTS, SHANGHAI)
    assert overdue(promises, {}, T + timedelta(minutes=10)) == []  # at the deadline: on time
    assert overdue(promises, {}, T + timedelta(minutes=10, seconds=1)) == ["respond"]
    assert overdue(promises, {}, T + timedelta(minutes=16)) == ["respond", "on_site"]
    kept = {"respond": T + timedelta(minutes=3)}
    assert overdue(promises, kept, T + timedelta(minutes=16)) == ["on_site"]
    late = {"respond": T + timedelta(minutes=12), "on_site": T + timedelta(minutes=14)}
    assert overdue(promises, late, T + timedelta(hours=1)) == []
    assert missed(promises, late, T + timedelta(hours=1)) == ["respond"]


def test_the_next_promise_is_the_earliest_not_kept() -> None:
    promises = deadlines("complaint", "ordinary", T, DEFAULTS, SHANGHAI)
    assert next_promise(promises, {}) == Promise("respond", T + timedelta(minutes=10))
    met = dict.fromkeys(met_by("in_progress"), T)
    assert next_promise(promises, met) == Promise("resolve", T + timedelta(hours=8))
    assert next_promise(promises, dict.fromkeys(met_by("completed"), T)) is None


@pytest.mark.parametrize(("step", "kept"), [
    ("assigned", {"respond"}), ("in_progress", {"respond", "on_site"}),
    ("feedback", {"respond", "feedback"}), ("accepted", set()),
])
def test_which_step_keeps_which_promise(step: str, kept: set[str]) -> None:
    assert met_by(step) == kept
