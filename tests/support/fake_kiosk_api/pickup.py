"""Held items at the stand-in: lookup and collection by pickup code (wrong codes, from any kiosk,
count towards a pause of pickup by code), and collection by card for the logged-in flat."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from .data import CODE_LIMIT, CODE_LOCK_S, Json, iso
from .problem import Problem


class PickupCounter:
    """Part of FakeKioskApi (api.py), which sets these up."""

    items: list[Json]
    code_failures: int
    code_locked_until: float
    session_methods: dict[str, str]  # token -> pin, otp or card

    def _collect(self, token: str, unit: str, item_id: int, body: Json) -> tuple[int, Json]:
        """Collect by card (docs/api/kiosk.md): card sessions only, the flat's own items."""
        if self.session_methods.get(token) != "card":
            raise Problem(403, "card_required", "collect with the pickup code or your card")
        item = next((i for i in self.items if i["id"] == item_id and i["unit"] == unit), None)
        if item is None:
            raise Problem(404, "not_found", "no such item for this flat")
        return self._confirm({"code": item["code"], "pieces": body.get("pieces", 0)})

    def _held(self, unit: str) -> list[Json]:
        return [i for i in self.items if i["unit"] == unit and not i["released_at"]]

    def _by_code(self, body: Json) -> Json:
        left = self.code_locked_until - time.monotonic()
        if left > 0:
            raise Problem(429, "locked", "pickup paused", retry_after_s=int(left) + 1)
        item = next((i for i in self.items if i["code"] == body.get("code")), None)
        if item is None:
            self.code_failures += 1
            if self.code_failures >= CODE_LIMIT:
                self.code_failures = 0
                self.code_locked_until = time.monotonic() + CODE_LOCK_S
                raise Problem(429, "locked", "pickup paused", retry_after_s=CODE_LOCK_S)
            raise Problem(404, "wrong_code", "wrong code",
                          attempts_left=CODE_LIMIT - self.code_failures)
        if item["released_at"]:
            raise Problem(410, "already_collected", "already collected",
                          released_at=item["released_at"])
        if item["where"] == "desk":
            raise Problem(409, "desk_only", "ID needed at the desk")
        return item

    def _public_item(self, item: Json) -> Json:
        return {"id": item["id"], "serial": item["serial"], "kind": item["kind"],
                "pieces": item["pieces"], "location": item["location"],
                "unit_masked": item["unit"][:-2] + "**", "received_at": item["received_at"]}

    def _lookup(self, body: Json) -> tuple[int, Json]:
        return 200, {"item": self._public_item(self._by_code(body))}

    def _confirm(self, body: Json) -> tuple[int, Json]:
        item = self._by_code(body)
        if int(body.get("pieces", 0)) != item["pieces"]:
            raise Problem(409, "pieces_mismatch", "pieces differ")
        item["released_at"] = iso(datetime.now(UTC))
        return 200, {"item": self._public_item(item), "released_at": item["released_at"]}
