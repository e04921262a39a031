"""Collecting a held item with the resident card (ARCHITECTURE §1): after a card login the
flat's items that may go at the kiosk open from "my held items"; the item is shown on the
found screen of a code pickup and confirming collects it (POST /api/kiosk/items/{id}/collect),
with the same "collected" message. A PIN or one-time-code login sees the items but is told to
use the pickup code or the card (the control room refuses it too: `card_required`). A card
held to the reader on the pickup screen logs in and opens the held items.
"""

from __future__ import annotations

from kiosk.api_client import ApiError
from kiosk.flows.core import Json, Pending
from kiosk.flows.pickup import PickupFlow

__all__ = ["CollectFlow"]


def mask_unit(unit: str) -> str:
    """As the control room masks a flat on the found screen (1-2-15**)."""
    return unit[:-2] + "**" if len(unit) > 2 else "**"


class CollectFlow(PickupFlow):
    # The account flow's (the facade has both): the flat's held items as last loaded.
    items: list[Json]

    def _reset_resident(self) -> None:
        super()._reset_resident()
        self.collecting = False  # the found screen shows an item to collect by card

    @property
    def by_card(self) -> bool:
        return self.session is not None and self.session.method == "card"

    def card_read(self, card: str) -> None:
        """On the pickup screen a card means "collect with my card": open my held items."""
        if self.screen in ("pickup", "found") and self.pending is None:
            self.pending = Pending("items")
        super().card_read(card)  # type: ignore[misc]  # the session flow's, in the facade

    def open_held(self, item_id: str) -> None:
        """A row of my held items tapped: the item on the found screen, to collect by card."""
        item = next((i for i in self.items if str(i.get("id")) == item_id), None)
        if not self.by_card or self.session is None or item is None or (
                item.get("where") != "kiosk"):
            return
        self.found = {**item, "unit_masked": mask_unit(self.session.unit)}
        self.collecting = True
        self._show("found")

    def _found(self, item: Json) -> None:
        self.collecting = False  # found by a code: confirmed with the code
        super()._found(item)

    def _parent(self) -> str:
        if self.screen == "found" and self.collecting:
            return "items"
        return super()._parent()

    def pickup_confirm(self) -> None:
        if not self.collecting:
            super().pickup_confirm()
            return
        api, item = self.api, self.found
        if api is None or not item:
            return
        item_id, pieces = int(item["id"]), int(item.get("pieces") or 1)
        self._call(lambda: api.collect(item_id, pieces), self._collected_by_card,
                   self._pickup_refused)

    def _collected_by_card(self, answer: Json) -> None:
        self.collecting = False
        self._collected(answer)

    def _pickup_refused(self, exc: ApiError) -> None:
        if self.collecting and exc.code == "card_required":
            self.collecting = False
            self._pickup_refusal(exc)
            return
        super()._pickup_refused(exc)
