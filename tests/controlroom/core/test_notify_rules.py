from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from controlroom.core.notify_rules import (
    QuietHours,
    backoff,
    gives_up,
    mask_code,
    mask_phone,
    rate_release,
)

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


def at(hh: int, mm: int = 0) -> datetime:
    """A time on 2026-11-22 in the site's zone, as UTC."""
    return datetime(2026, 11, 22, hh, mm, tzinfo=SH).astimezone(UTC)


def test_backoff_doubles_from_a_second_to_a_minute_and_gives_up_late() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 7, 8, 50)] == [
        1, 2, 4, 8, 60, 60, 60]
    assert not gives_up(10) and gives_up(1440)


def test_quiet_hours_across_midnight_hold_until_they_end() -> None:
    q = QuietHours.parse("22:00-07:00")
    assert (q.start, q.end) == (time(22), time(7))
    assert q.release(at(21, 59), SH) == at(21, 59)
    assert q.release(at(22, 0), SH) == at(7) + 24 * H  # the next morning
    assert q.release(at(3, 30), SH) == at(7)
    assert q.release(at(7, 0), SH) == at(7)


def test_no_quiet_hours_hold_nothing_and_bad_ones_are_refused() -> None:
    assert QuietHours.parse("").release(at(3), SH) == at(3)
    assert QuietHours.parse("12:00-14:00").release(at(13), SH) == at(14)
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        QuietHours.parse("late")


def test_the_rate_limit_delays_the_messages_past_the_hours_allowance() -> None:
    now = at(10)
    assert rate_release(now, [], 2) == now
    assert rate_release(now, [now - 30 * timedelta(minutes=1)], 2) == now
    two = [now - 50 * timedelta(minutes=1), now - 10 * timedelta(minutes=1)]
    assert rate_release(now, two, 2) == now + 10 * timedelta(minutes=1)
    assert rate_release(now, [*two, now + 10 * timedelta(minutes=1)], 2) == now + 50 * \
        timedelta(minutes=1)
    assert rate_release(now, two * 5, 0) == now  # 0: no limit


def test_codes_and_phones_are_masked() -> None:
    assert mask_code("pickup code 123456, shelf A-3", "123456") == "pickup code ••••••, shelf A-3"
    assert mask_code("no code", None) == "no code"
    assert mask_phone("139-0000-1502") == "139****1502"
