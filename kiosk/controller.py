"""The kiosk's behaviour without a window: which screen shows what, and what each touch does.

The Kivy app (kiosk/app.py) calls these methods from the .kv handlers and, after each change,
asks `screen` and `view()` what to draw (`on_change`). Calls to the control room go through
`TaskRunner` (off the UI thread); their answers come back here. Tests drive this class with a
fake API and an inline runner, with time passed in.

Rules kept here:
- nothing personal on any screen while no one is logged in; the session ends (DELETE) after
  `idle_s` without a touch, or on "log out", and the attract screen returns;
- while the control room is unreachable every call is refused at once with the hotline, and
  nothing is queued to be sent later behind the resident's back;
- a late answer for a session that has ended is dropped (`_generation`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from config import Site
from kiosk.api_client import ApiError
from kiosk.catalogue import Catalogue, format_price, pick
from kiosk.connectivity import Connectivity
from kiosk.idle import DEFAULT_IDLE_S, IdleTimer
from kiosk.keypad import Entry
from kiosk.kiosk_api import KioskApi, ResidentSession
from kiosk.ordering import confirm_view, needs_confirmation
from kiosk.views import (
    Chrome,
    MessageView,
    account_view,
    attract_view,
    contacts_view,
    fees_view,
    format_time,
    found_view,
    item_view,
    items_view,
    login_view,
    notice_rows,
    pickup_view,
    report_view,
    request_view,
    requests_view,
)
from kiosk.views import ListView as _ListView
from kiosk.wording import Lang, Said, say

__all__ = ["KEEP_ALIVE_S", "SCREENS", "KioskController"]

# The control room ends a resident session after 120 s without a call (docs/api/kiosk.md);
# the kiosk calls at least this often while the resident is still there.
KEEP_ALIVE_S = 60.0

Json = dict[str, Any]
Runner = Any  # kiosk.tasks.TaskRunner (or a test double with the same submit())

SCREENS = ("attract", "home", "menu", "item", "confirm", "report", "login", "account",
           "requests", "request", "fees", "items", "pickup", "found", "notices", "contacts",
           "message")
# Where "back" leads from each screen.
_PARENT = {"menu": "home", "item": "menu", "confirm": "item", "request": "requests",
           "requests": "account", "fees": "account", "items": "account", "found": "pickup"}
_NEEDS_LOGIN = ("account", "requests", "request", "fees", "items", "report")
# Items of the assistance menu are ordered as free assistance, all others as service orders
# (the control room checks that the type matches the item's menu).
ASSISTANCE_MENU = "assistance"


@dataclass(frozen=True)
class Pending:
    """What the resident wanted before being asked to log in."""

    action: str
    arg: str = ""


class KioskController:
    def __init__(self, site: Site, kiosk_id: str | None, api: KioskApi | None, runner: Runner,
                 *, idle_s: float = DEFAULT_IDLE_S, clock: Callable[[], float] = time.monotonic,
                 lang: Lang = "zh") -> None:
        self.site = site
        self.catalogue = Catalogue(site, kiosk_id)
        self.api = api
        self.runner = runner
        self.clock = clock
        self.tz = ZoneInfo(site.timezone)
        self.on_change: Callable[[], None] = lambda: None

        self.lang: Lang = lang
        # The site's language for this kiosk: the next person in the lobby finds it again
        # after the idle reset or a log-out.
        self.default_lang: Lang = lang
        self.large_text = False
        self.screen = "attract"
        self.busy = 0
        self.connectivity = Connectivity()
        self.idle = IdleTimer(idle_s, clock())
        self._generation = 0

        self.info: Json | None = None
        self.notices: list[Json] = []
        self.categories: Json = {}
        self._reset_resident()

    # -- state of the resident ---------------------------------------------------------------

    def _reset_resident(self) -> None:
        self.session: ResidentSession | None = None
        self.pending: Pending | None = None
        self.menu_id = ""
        self.item_id = ""
        self.me: Json = {}
        self.requests: list[Json] = []
        self.request: Json = {}
        self.fees: Json = {}
        self.items: list[Json] = []
        self.report_kind = "repair"
        self.report_category = ""
        self.report_note = ""
        self.flat = Entry(max_len=10, allow_dash=True)
        self.pin = Entry(max_len=8, secret=True)
        self.login_field = "flat"
        # Messages are kept unrendered, so they follow a change of language.
        self.login_error: Said | None = None
        self.code = Entry(max_len=8)
        self.pickup_error: Said | None = None
        self.found: Json = {}
        self._message: Callable[[Lang], MessageView] | None = None

    @property
    def logged_in(self) -> bool:
        return self.session is not None

    @property
    def online(self) -> bool:
        return self.connectivity.online

    @property
    def hotline(self) -> str:
        return str((self.info or {}).get("hotline") or self.site.hotline)

    # -- what to draw ----------------------------------------------------------------------

    def chrome(self) -> Chrome:
        lang = self.lang
        home = self.catalogue.home(lang)
        titles = {"attract": home.site_name, "home": home.site_name, "message": home.site_name}
        title = titles.get(self.screen) or self._title(lang)
        return Chrome(
            title=title,
            back="" if self.screen in ("attract", "home") else say(
                "back" if self.screen in _PARENT else "home", lang),
            lang_toggle=home.lang_toggle,
            large_toggle=say("large_off" if self.large_text else "large_on", lang),
            greeting=say("hello", lang, name=self.session.name_masked)
            if self.session and self.screen != "attract" else "",
            logout=say("logout", lang),
            offline="" if self.online else say("offline", lang, hotline=self.hotline),
            hotline=self.catalogue.hotline(lang).replace(self.site.hotline, self.hotline),
            busy=say("wait", lang) if self.busy else "",
        )

    def _title(self, lang: Lang) -> str:
        if self.screen == "menu" and self.menu_id:
            return self.catalogue.menu(self.menu_id, lang).title
        key = {"item": "order", "confirm": "confirm_title", "report": "report",
               "login": "login", "account": "account",
               "requests": "my_requests", "request": "my_requests", "fees": "my_fees",
               "items": "my_items", "pickup": "pickup", "found": "pickup",
               "notices": "notices", "contacts": "contacts", "message": "home"}[self.screen]
        return say(key, lang)

    def view(self) -> Any:
        """The view value of the current screen (kiosk.views), in the current language."""
        lang, home = self.lang, self.catalogue.home(self.lang)
        s = self.screen
        if s == "attract":
            return attract_view(self.info, self.notices, lang, home.site_name, home.place)
        if s == "home":
            from kiosk.views import Choice, HomeView, Row

            return HomeView(
                prompt=home.prompt,
                tiles=tuple(Row(t.title, t.note, id=t.id) for t in home.tiles),
                actions=tuple(Choice(a, say(k, lang)) for a, k in (
                    ("account", "my_account"), ("pickup", "pickup"), ("report", "report"),
                    ("notices", "notices"), ("contacts", "contacts"))),
            )
        if s == "menu":
            return self.catalogue.menu(self.menu_id, lang)
        if s == "item":
            item = self._item(self.item_id)
            return item_view(item, lang, format_price(item, lang), self.logged_in)
        if s == "confirm":
            return confirm_view(self._item(self.item_id), lang)
        if s == "report":
            return report_view(self.categories, self.report_kind, self.report_category, lang)
        if s == "login":
            return login_view(self.flat, self.pin, self.login_field,
                              self.login_error(lang) if self.login_error else "", lang)
        if s == "account":
            return account_view(self.me, lang)
        if s == "requests":
            return requests_view(self.requests, self.tz, lang)
        if s == "request":
            return request_view(self.request, self.tz, lang)
        if s == "fees":
            return fees_view(self.fees, lang)
        if s == "items":
            return items_view(self.items, self.tz, lang)
        if s == "pickup":
            return pickup_view(self.code, self.pickup_error(lang) if self.pickup_error else "",
                               self.pickup_locked_for(), lang)
        if s == "found":
            return found_view(self.found, self.tz, lang)
        if s == "notices":
            return _ListView(say("notices", lang), "", notice_rows(self.notices, lang),
                             say("no_notices", lang))
        if s == "contacts":
            return contacts_view(self.info, self.hotline, lang)
        assert self._message is not None
        return self._message(lang)

    # -- navigation ------------------------------------------------------------------------

    def _show(self, screen: str) -> None:
        assert screen in SCREENS, screen
        self.screen = screen
        self.on_change()

    def start(self) -> None:
        """The first screen, and the public data the attract screen shows."""
        self._refresh_public()
        self._show("attract")

    def touch_start(self) -> None:
        self._refresh_public()
        self._show("home")

    def go_home(self) -> None:
        self._show("home")

    def back(self) -> None:
        self._show(_PARENT.get(self.screen, "home"))

    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.on_change()

    def toggle_large_text(self) -> None:
        self.large_text = not self.large_text
        self.on_change()

    def open_menu(self, menu_id: str) -> None:
        self.menu_id = menu_id
        self._show("menu")

    def open_item(self, item_id: str) -> None:
        self.item_id = item_id
        self._show("item")

    def open_notices(self) -> None:
        self._refresh_public()
        self._show("notices")

    def open_contacts(self) -> None:
        self._show("contacts")

    def open(self, target: str) -> None:
        """A home or account button by its id."""
        actions: dict[str, Callable[[], None]] = {
            "account": self.open_account, "pickup": self.open_pickup,
            "report": self.open_report, "notices": self.open_notices,
            "contacts": self.open_contacts, "requests": self.open_requests,
            "fees": self.open_fees, "items": self.open_items,
        }
        actions[target]()

    # -- time: idle and countdowns ----------------------------------------------------------

    def touched(self) -> None:
        self.idle.touch(self.clock())

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
        if self.screen == "pickup" and (self.pickup_locked_for() > 0 or self._was_locked):
            self._was_locked = self.pickup_locked_for() > 0
            self.on_change()

    @property
    def _personalised(self) -> bool:
        """Language or text size changed from the kiosk's own (by someone who has left)."""
        return self.lang != self.default_lang or self.large_text

    _was_locked = False
    _last_call = 0.0
    pickup_locked_until = 0.0

    def pickup_locked_for(self) -> float:
        return max(0.0, self.pickup_locked_until - self.clock())

    # -- connectivity --------------------------------------------------------------------

    def health(self, ok: bool) -> None:
        was_online = self.online
        if self.connectivity.probe(ok):
            self.on_change()
            if ok and not was_online:
                self._refresh_public()

    # -- calls to the control room ---------------------------------------------------------

    def _call(self, call: Callable[[], Any], done: Callable[[Any], None],
              failed: Callable[[ApiError], None] | None = None, *, quiet: bool = False) -> None:
        """Run `call` off the UI thread; refuse at once (with the hotline) when offline.
        `quiet` calls (public data for the attract screen) show no progress and no refusal."""
        if self.api is None or not self.online:
            if not quiet:
                self._refuse_offline()
            return
        generation = self._generation
        self._last_call = self.clock()
        if not quiet:
            self.busy += 1
            self.on_change()

        def finish() -> bool:
            if not quiet:
                self.busy = max(0, self.busy - 1)
            return generation == self._generation

        def ok(result: Any) -> None:
            if finish():
                done(result)
            self.on_change()

        def bad(exc: ApiError) -> None:
            current = finish()
            if exc.offline:
                self.connectivity.call_failed()
                if current and not quiet:
                    self._refuse_offline()
            elif current and not quiet:
                (failed or self._refuse)(exc)
            self.on_change()

        self.runner.submit(call, ok, bad)

    def _refresh_public(self) -> None:
        api = self.api
        if api is None:
            return
        self._call(api.info, self._set_info, quiet=True)
        self._call(api.notices, self._set_notices, quiet=True)

    def _set_info(self, info: Json) -> None:
        self.info = info

    def _set_notices(self, notices: list[Json]) -> None:
        self.notices = notices

    def _message_screen(self, build: Callable[[Lang], MessageView]) -> None:
        self._message = build
        self._show("message")

    def _refuse_offline(self) -> None:
        self._message_screen(lambda lang: MessageView(
            title=say("refused", lang), number_label="", number="",
            body=f"{say('offline_refusal', lang)}\n"
                 f"{say('call_hotline', lang, hotline=self.hotline)}",
            ok=False, button=say("home", lang)))

    def _refuse(self, exc: ApiError) -> None:
        if exc.code == "session_expired":
            self._session_ended()
            return
        detail = str(exc.body.get("detail") or exc)
        self._message_screen(lambda lang: MessageView(
            title=say("refused", lang), number_label="", number="",
            body=f"{say('rejected', lang, detail=detail)}\n"
                 f"{say('call_hotline', lang, hotline=self.hotline)}",
            ok=False, button=say("home", lang)))

    def _session_ended(self) -> None:
        self._generation += 1
        if self.api is not None:
            self.api.session = None
        self._reset_resident()
        self.login_error = Said.of("session_expired")
        self._show("login")

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
        self.login_error = None
        self._show("login")

    def login_select(self, field: str) -> None:
        self.login_field = field
        self.on_change()

    def login_key(self, key: str) -> None:
        if self.login_field == "flat":
            self.flat = self.flat.press(key)
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
        self._call(lambda: api.login_pin(unit, pin), self._logged_in, self._login_refused)

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
        {
            "order": lambda: self.order(pending.arg),
            "report": self.open_report,
            "account": self.open_account,
            "requests": self.open_requests,
            "fees": self.open_fees,
            "items": self.open_items,
        }.get(pending.action, self.open_account)()

    def _login_refused(self, exc: ApiError) -> None:
        if exc.code == "wrong_pin":
            self.login_error = Said.of("wrong_pin", n=exc.body.get("attempts_left", 0))
        elif exc.code == "locked":
            wait = float(exc.body.get("retry_after_s") or 0)
            self.login_error = Said.of("locked", minutes=max(1, round(wait / 60)))
        elif exc.code == "unknown_card":
            self.login_error = Said.of("unknown_card")
        else:
            self._refuse(exc)
            return
        if self.screen != "login":
            self.login_field = "flat"
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

    # -- ordering --------------------------------------------------------------------------

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

    def _created(self, request: Json, title_key: str) -> None:
        self._message_screen(lambda lang: MessageView(
            title=say(title_key, lang),
            number_label=say("your_number", lang),
            number=str(request.get("number", "")),
            body=(say("promised_by", lang, at=format_time(request.get("promised_by"), self.tz,
                                                        lang))
                  if request.get("promised_by") else ""),
            ok=True, button=say("done_home", lang)))

    # -- reporting -------------------------------------------------------------------------

    def open_report(self) -> None:
        if not self.online:
            self._refuse_offline()
            return
        if not self._require_login("report"):
            return
        api = self.api
        assert api is not None
        self.report_category = ""
        self.report_note = ""
        self._call(api.categories, self._report_ready)

    def _report_ready(self, categories: Json) -> None:
        self.categories = categories
        self._show("report")

    def report_choose_kind(self, kind: str) -> None:
        self.report_kind = kind
        self.report_category = ""
        self.on_change()

    def report_choose(self, category: str) -> None:
        self.report_category = category
        self.on_change()

    def report_send(self, note: str = "") -> None:
        if not self.report_category or self.api is None:
            return
        urgent = any(c.get("urgent") for c in self.categories.get(self.report_kind, [])
                     if str(c["id"]) == self.report_category)
        kind = "urgent_repair" if self.report_kind == "repair" and urgent else self.report_kind
        body: Json = {"type": kind, "category": self.report_category}
        if note.strip():
            body["description"] = note.strip()[:500]
        api = self.api
        self._call(lambda: api.create_request(body), lambda r: self._created(r, "reported"))

    # -- my account --------------------------------------------------------------------------

    def open_account(self) -> None:
        if not self._require_login("account"):
            return
        api = self.api
        assert api is not None
        self._call(api.me, lambda me: self._loaded("me", me, "account"))

    def open_requests(self) -> None:
        if not self._require_login("requests"):
            return
        api = self.api
        assert api is not None
        self._call(api.requests, lambda rs: self._loaded("requests", rs, "requests"))

    def open_request(self, request_id: str) -> None:
        api = self.api
        if api is None or not self.logged_in:
            return
        self._call(lambda: api.request(int(request_id)),
                   lambda r: self._loaded("request", r, "request"))

    def open_fees(self) -> None:
        if not self._require_login("fees"):
            return
        api = self.api
        assert api is not None
        self._call(api.fees, lambda f: self._loaded("fees", f, "fees"))

    def open_items(self) -> None:
        if not self._require_login("items"):
            return
        api = self.api
        assert api is not None
        self._call(api.items, lambda i: self._loaded("items", i, "items"))

    def _loaded(self, attr: str, value: Any, screen: str) -> None:
        setattr(self, attr, value)
        self._show(screen)

    # -- pickup ------------------------------------------------------------------------------

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
            released, key = exc.body.get("released_at"), exc.code
            self._message_screen(lambda lang: MessageView(
                title=say("refused", lang), number_label="", number="",
                body=say(key, lang, at=format_time(released, self.tz, lang))
                if key == "already_collected" else say(key, lang),
                ok=False, button=say("home", lang)))
            return
        else:
            self._refuse(exc)
            return
        self._show("pickup")

    # -- helpers -----------------------------------------------------------------------------

    def _item(self, item_id: str) -> Any:
        for m in self.site.menus:
            for it in m.items:
                if it.id == item_id:
                    return it
        raise KeyError(item_id)

    def menu_title(self, menu_id: str) -> str:
        m = next(m for m in self.site.menus if m.id == menu_id)
        return pick(self.lang, m.name_zh, m.name_en)
