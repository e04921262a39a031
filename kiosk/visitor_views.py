"""What the visitor screens show: the announcement form and, once sent, the confirmation with
the flat's visitors expected. Frozen values, as in kiosk.views (no Kivy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.flows.visitors import PURPOSES, open_days, open_slots
from kiosk.formats import format_time
from kiosk.views import Choice, Row
from kiosk.wording import Lang, say

__all__ = ["VisitorView", "VisitorsView", "visitor_view", "visitors_view"]

Json = dict[str, Any]


@dataclass(frozen=True)
class VisitorView:
    name_label: str
    name_hint: str
    when_label: str
    days: tuple[Choice, ...]
    times: tuple[Choice, ...]  # id = the hour
    purpose_label: str
    purposes: tuple[Choice, ...]
    send: str
    can_send: bool


@dataclass(frozen=True)
class VisitorsView:
    told: str
    announced: str  # who and when
    heading: str
    rows: tuple[Row, ...]
    empty: str
    done: str


def visitor_view(day: str, hour: int, purpose: str, can_send: bool, now: datetime,
                 tz: ZoneInfo, lang: Lang) -> VisitorView:
    """`can_send` is the visitor flow's rule (kiosk.flows.visitors.can_announce)."""
    return VisitorView(
        name_label=say("visitor_name", lang),
        name_hint=say("visitor_name_hint", lang),
        when_label=say("visitor_when", lang),
        days=tuple(Choice(d, say(f"visitor_{d}", lang), d == day) for d in open_days(now, tz)),
        times=tuple(Choice(str(h), f"{h:02d}:00", h == hour)
                    for h in open_slots(day, now, tz)),
        purpose_label=say("visitor_purpose", lang),
        purposes=tuple(Choice(p, say(f"purpose_{p}", lang), p == purpose) for p in PURPOSES),
        send=say("visitor_send", lang),
        can_send=can_send,
    )


def visitors_view(announced: Json, visitors: list[Json], tz: ZoneInfo,
                  lang: Lang) -> VisitorsView:
    return VisitorsView(
        told=say("visitor_told", lang),
        announced=say("visitor_at", lang, name=announced.get("name", ""),
                      at=format_time(announced.get("expected_at"), tz, lang)),
        heading=say("visitors_expected", lang),
        rows=tuple(Row(title=str(v.get("name", "")), detail=str(v.get("purpose") or ""),
                       value=format_time(v.get("expected_at"), tz, lang), id="")
                   for v in visitors),
        empty=say("no_visitors", lang),
        done=say("done_home", lang),
    )
