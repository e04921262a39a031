"""Picking up a held item: the code typed on the keypad or a slip under the scanner (from any
screen), the item found, the pickup confirmed. After too many wrong codes the keypad is dead
and the screen counts down until the control room's lockout ends."""

from __future__ import annotations

from kiosk.api_client import ApiError
from kiosk.flows.core import Json, KioskCore
from kiosk.formats import format_time
from kiosk.keypad import Entry
from kiosk.views import MessageView
from kiosk.wording import Said, say

__all__ = ["PickupFlow"]


class PickupFlow(KioskCore):
    pickup_locked_until = 0.0
    _was_locked = False

    def _reset_resident(self) -> None:
        super()._reset_resident()
        self.code = Entry(max_len=8)
        self.pickup_error: Said | None = None
        self.found: Json = {}

    def pickup_locked_for(self) -> float:
        return max(0.0, self.pickup_locked_until - self.clock())

    def _tick_screen(self) -> None:
        super()._tick_screen()
        # The countdown, and once more when it ends (the keypad comes back).
        if self.screen == "pickup" and (self.pickup_locked_for() > 0 or self._was_locked):
            self._was_locked = self.pickup_locked_for() > 0
            self.on_change()

    def open_pickup(self) -> None:
        self.code = self.code.cleared()
        self.pickup_error = None
        self._show("pickup")

    def pickup_key(self, key: str) -> None:
        if self.pickup_locked_for() > 0:
            return
        self.code = self.code.press(key)
        self.pickup_error = None
        self.on_change()

    def code_scanned(self, code: str) -> None:
        """A pickup slip under the barcode scanner: look it up from any screen."""
        self.touched()
        self.code = Entry(value=code[: self.code.max_len], max_len=self.code.max_len)
        self.pickup_error = None
        if self.screen != "pickup":
            self._show("pickup")
        self.pickup_find()

    def pickup_find(self) -> None:
        if self.pickup_locked_for() > 0 or not self.code.value:
            return
        api, code = self.api, self.code.value
        if api is None:
            return
        self._call(lambda: api.pickup_lookup(code), self._found, self._pickup_refused)

    def _found(self, item: Json) -> None:
        self.found = item
        self._show("found")

    def pickup_confirm(self) -> None:
        api, code = self.api, self.code.value
        if api is None or not self.found:
            return
        pieces = int(self.found.get("pieces") or 1)
        self._call(lambda: api.pickup_confirm(code, pieces), self._collected,
                   self._pickup_refused)

    def _collected(self, answer: Json) -> None:
        self.code = self.code.cleared()
        self.found = {}
        self._message_screen(lambda lang: MessageView(
            title=say("picked_up", lang), number_label="", number="",
            body=say("picked_up_body", lang,
                     at=format_time(answer.get("released_at"), self.tz, lang)),
            ok=True, button=say("done_home", lang)))

    def _pickup_refused(self, exc: ApiError) -> None:
        self.code = self.code.cleared()
        if exc.code == "wrong_code":
            self.pickup_error = Said.of("wrong_code", n=exc.body.get("attempts_left", 0))
        elif exc.code == "locked":
            self.pickup_locked_until = self.clock() + float(exc.body.get("retry_after_s") or 0)
            self._was_locked = True
        elif exc.code in ("desk_only", "pieces_mismatch", "already_collected"):
            self._pickup_refusal(exc)
            return
        else:
            self._refuse(exc)
            return
        self._show("pickup")

    def _pickup_refusal(self, exc: ApiError) -> None:
        """Refused for good at the kiosk: a message, not another try."""
        released, key = exc.body.get("released_at"), exc.code
        self._message_screen(lambda lang: MessageView(
            title=say("refused", lang), number_label="", number="",
            body=say(key, lang, at=format_time(released, self.tz, lang))
            if key == "already_collected" else say(key, lang),
            ok=False, button=say("home", lang)))
