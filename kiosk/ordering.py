"""Confirming a paid order before it is placed: which items need it and what the confirmation
screen says. Plain values, no Kivy.

A free item (assistance, public services) is ordered with one tap; an item with a price, or
priced on request, shows the item, its price and what confirming means first (issue 19).
"""

from __future__ import annotations

from dataclasses import dataclass

from config import MenuItem
from kiosk.catalogue import format_price, pick
from kiosk.wording import Lang, say, sla_label

__all__ = ["ConfirmView", "confirm_view", "needs_confirmation"]


def needs_confirmation(item: MenuItem) -> bool:
    return bool(item.quote) or (item.price is not None and item.price > 0)


@dataclass(frozen=True)
class ConfirmView:
    title: str  # the item
    price: str
    note: str  # what confirming means (the price is the resident's to pay)
    promise: str
    confirm: str
    cancel: str


def confirm_view(item: MenuItem, lang: Lang) -> ConfirmView:
    price = format_price(item, lang)
    return ConfirmView(
        title=pick(lang, item.name_zh, item.name_en),
        price=price,
        note=say("paid_quote", lang) if item.quote else say("paid_fixed", lang, price=price),
        promise=say("promise", lang, sla=sla_label(item.sla, lang)),
        confirm=say("confirm_order", lang),
        cancel=say("cancel", lang),
    )
