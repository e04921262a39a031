"""Issue 19, item 9: the kiosk writes a time as the console does, `YYYY-MM-DD HH:mm` in the
site's zone, in both languages (the console's side is test_console_site_time_browser.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kiosk.views import format_time


def test_a_utc_time_is_shown_in_the_sites_zone_in_the_one_format() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    # 16:05 UTC on 31 December is 00:05 on 1 January in Shanghai: date and hour both move.
    assert format_time("2026-12-31T16:05:59Z", shanghai, "zh") == "2027-01-01 00:05"
    assert format_time("2026-12-31T16:05:59+00:00", shanghai, "en") == "2027-01-01 00:05"
    assert format_time("2026-12-31T16:05:59Z", ZoneInfo("America/New_York"), "en") == \
        "2026-12-31 11:05"
    assert format_time(None, shanghai, "zh") == ""
