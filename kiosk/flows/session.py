"""Who is at the kiosk: logging in by flat + PIN (or + a one-time code sent by SMS to the
flat's registered phone) on the keypad or by a card from any screen,
the idle timeout, keeping the control room's session alive, logging out.

Rules kept here: nothing personal on any screen while no one is logged in; the session ends
(DELETE) after `idle_s` without a touch, or on "log out", and the attract screen returns in
the kiosk's own language and text size.
"""

from __future__ import annotations

from kiosk.api_client import ApiError
from kiosk.flows.core import KioskCore, Pending
from kiosk.keypad import Entry
from kiosk.kiosk_api import ResidentSession
from kiosk.wording import Said

__all__ = ["KEEP_ALIVE_S", "SessionFlow"]

# The control room ends a resident session after 120 s without a call (docs/api/kiosk.md);
# the kiosk calls at least this often while the resident is still there.
KEEP_ALIVE_S = 60.0


class SessionFlow(KioskCore):
    def _reset_resident(self) -> None:
        super()._reset_resident()
        self.flat = Entry(max_len=10, allow_dash=True)
        self.pin = Entry(max_len=8, secret=True)
        self.login_field = "flat"
        self.login_method = "pin"  # or "otp": the second field takes a code sent by SMS
        # Messages are kept unrendered, so they follow a change of language.
        self.login_error: Said | None = None

    # -- time: idle and keep-alive (touches reset the idle timer: KioskCore.touched) ------

    def tick(self) -> None:
        """Called about twice a second by the app."""
        now = self.clock()
        if self.idle.expired(now) and (self.screen != "attract" or self._personalised):
            self.logout()
            return
        api = self.api
        if api is not None and self.logged_in and now - self._last_call >= KEEP_ALIVE_S:
            # The resident is still touching but no call was made for a while (reading fees,
            # switching language): keep the control room's 120-s session alive.
            self._last_call = now
            self._call(api.me, lambda _me: None, quiet=True)
        self._tick_public()
        self._tick_screen()

    @property
    def _personalised(self) -> bool:
        """Language or text size changed from the kiosk's own (by someone who has left)."""
        return self.lang != self.default_lang or self.large_text

    # -- logging in ------------------------------------------------------------------------

    def _require_login(self, action: str, arg: str = "") -> bool:
        if self.logged_in:
            return True
        self.pending = Pending(action, arg)
        self.open_login()
        return False

    def open_login(self) -> None:
        self.flat, self.pin = self.flat.cleared(), self.pin.cleared()
        self.login_field = "flat"
        self.login_method = "pin"
        self.login_error = None
        self._show("login")

    def login_select(self, field: str) -> None:
        self.login_field = field
        self.on_change()

    def login_key(self, key: str) -> None:
        if self.login_field == "flat":
            self.flat = self.flat.press(key)
            self.login_method = "pin"  # a code was sent for the flat as it was
        else:
            self.pin = self.pin.press(key)
        self.on_change()

    def login_submit(self) -> None:
        if self.login_field == "flat":
            if self.flat.value:
                self.login_field = "pin"
                self.on_change()
            return
        if not (self.flat.value and self.pin.complete) or self.api is None:
            return
        api, unit, pin = self.api, self.flat.value, self.pin.value
        self.pin = self.pin.cleared()
        if self.login_method == "otp":
            self._call(lambda: api.login_code(unit, pin), self._logged_in, self._login_refused)
        else:
            self._call(lambda: api.login_pin(unit, pin), self._logged_in, self._login_refused)

    def login_send_code(self) -> None:
        """"Text me a code": the control room sends a one-time code to the flat's registered
        phone; the second field then takes that code (same tries and lockout as the PIN)."""
        if not self.flat.value:
            self.login_error = Said.of("flat_first")
            self.login_field = "flat"
            self.on_change()
            return
        api, unit = self.api, self.flat.value
        if api is None:
            return

        def sent(_answer: object) -> None:
            self.login_method, self.login_field = "otp", "pin"
            self.pin = self.pin.cleared()
            self.login_error = Said.of("code_sent")
            self.on_change()

        self._call(lambda: api.request_code(unit), sent, self._login_refused)

    def card_read(self, card: str) -> None:
        """A card held to the reader: logs in from any screen."""
        self.touched()
        api = self.api
        if api is None:
            return
        if self.screen != "login":
            self.pending = self.pending or Pending("account")
        self._call(lambda: api.login_card(card), self._logged_in, self._login_refused)

    def _logged_in(self, session: ResidentSession) -> None:
        self._generation += 1
        self.session = session
        self.login_error = None
        pending, self.pending = self.pending or Pending("account"), None
        # What the resident wanted before logging in (the other flows of the controller).
        {
            "order": lambda: self.order(pending.arg),
            "report": self.open_report,
            "account": self.open_account,
            "requests": self.open_requests,
            "fees": self.open_fees,
            "items": self.open_items,
            "visitor": self.open_visitor,
        }.get(pending.action, self.open_account)()

    def _login_refused(self, exc: ApiError) -> None:
        if exc.code == "wrong_pin":
            self.login_error = Said.of("wrong_login_code" if self.login_method == "otp" else
                                       "wrong_pin", n=exc.body.get("attempts_left", 0))
        elif exc.code == "locked":
            wait = float(exc.body.get("retry_after_s") or 0)
            self.login_error = Said.of("locked", minutes=max(1, round(wait / 60)))
        elif exc.code == "unknown_card":
            self.login_error = Said.of("unknown_card")
        elif exc.code == "cards_paused":
            # Card logins only: the flat and PIN still work, so the keypad stays live.
            wait = float(exc.body.get("retry_after_s") or 0)
            self.login_error = Said.of("cards_paused", minutes=max(1, round(wait / 60)))
        else:
            self._refuse(exc)
            return
        if self.screen != "login":
            self.login_field = "flat"
            self._show("login")

    # -- the session ending ------------------------------------------------------------------

    def _session_ended(self) -> None:
        """The control room ended the session (idle there): log in again."""
        self._generation += 1
        if self.api is not None:
            self.api.session = None
        self._reset_resident()
        self.login_error = Said.of("session_expired")
        self._show("login")

    def logout(self) -> None:
        """The resident leaves (or walked away): the attract screen in the kiosk's own
        language and text size, for the next person."""
        self.end_session()
        self.lang = self.default_lang
        self.large_text = False
        self._show("attract")

    def end_session(self) -> None:
        """Forget everything about the resident now; tell the control room in the background."""
        self._generation += 1
        had_session = self.session is not None
        self._reset_resident()
        api = self.api
        if had_session and api is not None:
            # The kiosk forgets at once; the DELETE may take its time (or fail when offline,
            # then the control room's own 120 s idle limit ends it).
            self.runner.submit(api.logout, lambda _r: None, lambda _e: None)
