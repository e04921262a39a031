"""What "my held items" and "my fees" show beyond kiosk.views' lists: the items a card login
may collect here (with a Collect action) or the hint to use the code or the card, and the
paid orders charged to the flat. Plain values, no Kivy (like kiosk.views)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.catalogue import pick
from kiosk.formats import format_money, pieces
from kiosk.views import ListView, Row, fees_view, items_view
from kiosk.wording import Lang, say

__all__ = ["held_items_view", "my_fees_view"]

Json = dict[str, Any]


def held_items_view(items: list[Json], tz: ZoneInfo, lang: Lang, by_card: bool) -> ListView:
    """The flat's held items. Logged in by card, each item the kiosk may release opens (its
    row says Collect); otherwise no row opens and, if any could go here, the resident is told
    to use the pickup code or the card."""
    view = items_view(items, tz, lang)
    here = [i.get("where") == "kiosk" for i in items]
    if not by_card:
        return replace(view, rows=tuple(replace(r, id="") for r in view.rows),
                       summary=say("held_use_code_or_card", lang) if any(here) else "")
    rows = tuple(
        replace(r, detail=say("where_card", lang, pieces=pieces(int(i.get("pieces") or 1),
                                                                lang)),
                value=say("collect", lang))
        if kiosk else replace(r, id="")
        for r, i, kiosk in zip(view.rows, items, here, strict=True))
    return replace(view, rows=rows, summary=say("held_by_card", lang) if any(here) else "")


def order_rows(fees: Json, lang: Lang) -> tuple[Row, ...]:
    """The paid orders charged to the flat, newest first: pending until the service is done,
    then billed like a statement (due date, paid / unpaid), or cancelled."""
    rows = []
    for c in fees.get("order_charges") or []:
        state = c.get("state")
        if state == "pending":
            note, status = say("order_pending", lang), say("order_pending_short", lang)
        elif state == "void":
            note, status = say("order_void", lang), say("order_void_short", lang)
        else:
            note = say("due", lang, date=c.get("due", "")) if c.get("due") else ""
            status = say({"paid": "fee_paid", "part": "fee_part"}.get(
                str(c.get("status", "")), "fee_unpaid"), lang)
        label = pick(lang, str(c.get("label_zh", "")), str(c.get("label_en", "")))
        rows.append(Row(title=say("paid_order", lang, label=label),
                        detail="  ·  ".join(p for p in (str(c.get("request_number", "")), note)
                                            if p),
                        value=f"{format_money(c.get('amount'))}  {status}"))
    return tuple(rows)


def my_fees_view(fees: Json, lang: Lang) -> ListView:
    """My fees: the paid orders first (the newest things), then the monthly statements."""
    view = fees_view(fees, lang)
    return replace(view, rows=order_rows(fees, lang) + view.rows)
