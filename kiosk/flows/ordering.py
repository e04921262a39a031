"""Ordering a service from a menu, and confirming a paid order before it is placed.

A free item (assistance, public services) is ordered with one tap; an item with a price, or
priced on request, shows the item, its price and what confirming means first (issue 19). The
rules and the confirmation screen's words are plain functions; `OrderingFlow` is the flow.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import MenuItem
from kiosk.catalogue import format_price, pick
from kiosk.flows.core import KioskCore
from kiosk.wording import Lang, say, sla_label

__all__ = ["ASSISTANCE_MENU", "ConfirmView", "OrderingFlow", "confirm_view",
           "needs_confirmation"]

# Items of the assistance menu are ordered as free assistance, all others as service orders
# (the control room checks that the type matches the item's menu).
ASSISTANCE_MENU = "assistance"


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


class OrderingFlow(KioskCore):
    def order(self, item_id: str) -> None:
        """"Order" on an item: a paid item is confirmed first (price, what ordering means);
        a free one is placed at once."""
        if not self.online:
            self._refuse_offline()
            return
        if not self._require_login("order", item_id):
            return
        if needs_confirmation(self._item(item_id)):
            self.item_id = item_id
            self._show("confirm")
            return
        self._place(item_id)

    def confirm_order(self) -> None:
        if self.screen != "confirm" or not self.online:
            if not self.online:
                self._refuse_offline()
            return
        if self._require_login("order", self.item_id):
            self._place(self.item_id)

    def _place(self, item_id: str) -> None:
        api = self.api
        assert api is not None
        menu = next(m for m in self.site.menus if any(i.id == item_id for i in m.items))
        body = {"type": "assistance" if menu.id == ASSISTANCE_MENU else "service_order",
                "item": item_id}
        self._call(lambda: api.create_request(body), lambda r: self._created(r, "ordered"))
