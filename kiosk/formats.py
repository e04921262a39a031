"""How the kiosk writes times, money, counts and names: plain functions of values, the same
on every screen (kiosk.views builds the screens from them)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from config.privacy import mask_name
from kiosk.wording import Lang, say

__all__ = ["format_countdown", "format_money", "format_time", "mask_name", "parse_time",
           "pieces"]


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def format_time(value: str | None, tz: ZoneInfo, lang: Lang) -> str:
    """A time of the control room (ISO 8601, UTC) in the site's time zone, in the one format
    the console uses too (`YYYY-MM-DD HH:mm`, issue 19); the same in both languages."""
    if not value:
        return ""
    return f"{parse_time(value).astimezone(tz):%Y-%m-%d %H:%M}"


def format_money(amount: float | None) -> str:
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def format_countdown(seconds: float) -> str:
    """Whole seconds left as m:ss, rounded up (a lockout never shows 0:00 while it holds)."""
    s = max(0, int(-(-seconds // 1)))
    return f"{s // 60}:{s % 60:02d}"


def pieces(n: int, lang: Lang) -> str:
    return say("piece" if n == 1 else "pieces", lang, n=n)


