"""The kiosk's behaviour without a window: which screen shows what, and what each touch does.

The Kivy app (kiosk/app.py) calls these methods from the .kv handlers and, after each change,
asks `screen` and `view()` what to draw (`on_change`). Calls to the control room go through
`TaskRunner` (off the UI thread); their answers come back here. Tests drive this class with a
fake API and an inline runner, with time passed in.

`KioskController` is one facade over the flows in kiosk/flows/ (session, ordering, reporting,
account, pickup, visitors; the rules each keeps are in its module): the screens and tests hold one
object with one state. Here: moving between screens and what each screen shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.account_views import held_items_view, my_fees_view
from kiosk.catalogue import format_price
from kiosk.flows.account import AccountFlow
from kiosk.flows.collect import CollectFlow
from kiosk.flows.core import PARENT, SCREENS
from kiosk.flows.ordering import OrderingFlow, confirm_view
from kiosk.flows.pickup import PickupFlow
from kiosk.flows.reporting import ReportingFlow
from kiosk.flows.session import KEEP_ALIVE_S, SessionFlow
from kiosk.flows.visitors import VisitorFlow
from kiosk.report_views import report_view
from kiosk.views import (
    Choice,
    Chrome,
    HomeView,
    ListView,
    Row,
    account_view,
    attract_view,
    contacts_view,
    found_view,
    item_view,
    login_view,
    notice_rows,
    pickup_view,
    request_view,
    requests_view,
)
from kiosk.visitor_views import visitor_view, visitors_view
from kiosk.wording import Lang, say

__all__ = ["KEEP_ALIVE_S", "SCREENS", "KioskController"]

# The buttons under the menus on the home screen: (target of `open`, wording key).
_HOME_ACTIONS = (("account", "my_account"), ("pickup", "pickup"), ("report", "report"),
                 ("visitor", "visitor"), ("notices", "notices"), ("contacts", "contacts"))
# Header titles by screen (the menu's own name on "menu"; the site's on the start screens).
_TITLES = {"item": "order", "confirm": "confirm_title", "report": "report", "login": "login",
           "account": "account", "requests": "my_requests", "request": "my_requests",
           "fees": "my_fees", "items": "my_items", "pickup": "pickup", "found": "pickup",
           "notices": "notices", "contacts": "contacts", "message": "home",
           "visitor": "visitor", "visitors": "visitor"}


class KioskController(CollectFlow, SessionFlow, OrderingFlow, ReportingFlow, AccountFlow,
                      PickupFlow, VisitorFlow):
    # -- what to draw ----------------------------------------------------------------------

    def chrome(self) -> Chrome:
        lang = self.lang
        home = self.catalogue.home(lang)
        titles = {"attract": home.site_name, "home": home.site_name, "message": home.site_name}
        title = titles.get(self.screen) or self._title(lang)
        return Chrome(
            title=title,
            back="" if self.screen in ("attract", "home") else say(
                "back" if self.screen in PARENT else "home", lang),
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
        return say(_TITLES[self.screen], lang)

    def view(self) -> Any:
        """The view value of the current screen (kiosk.views), in the current language."""
        return self._views()[self.screen](self.lang)

    def _views(self) -> dict[str, Callable[[Lang], Any]]:
        """How each screen's view is made from the state, for a language."""
        tz = self.tz
        return {
            "attract": self._attract_view,
            "home": self._home_view,
            "menu": lambda lang: self.catalogue.menu(self.menu_id, lang),
            "item": self._item_view,
            "confirm": lambda lang: confirm_view(self._item(self.item_id), lang),
            "report": lambda lang: report_view(self.categories, self.report_kind,
                                               self.report_category, lang,
                                               self.report_can_send),
            "login": lambda lang: login_view(self.flat, self.pin, self.login_field,
                                             self.login_error(lang) if self.login_error else "",
                                             lang, self.login_method),
            "account": lambda lang: account_view(self.me, lang),
            "requests": lambda lang: requests_view(self.requests, self.vocabulary, tz, lang),
            "request": lambda lang: request_view(self.request, self.vocabulary, tz, lang),
            "fees": lambda lang: my_fees_view(self.fees, lang),
            "items": lambda lang: held_items_view(self.items, tz, lang, self.by_card),
            "pickup": lambda lang: pickup_view(
                self.code, self.pickup_error(lang) if self.pickup_error else "",
                self.pickup_locked_for(), lang),
            "found": lambda lang: found_view(self.found, tz, lang),
            "notices": lambda lang: ListView(say("notices", lang), "",
                                             notice_rows(self.notices, lang),
                                             say("no_notices", lang)),
            "contacts": lambda lang: contacts_view(self.info, self.hotline, lang),
            "message": self._message_view,
            "visitor": lambda lang: visitor_view(self.visitor_day, self.visitor_hour,
                                                 self.visitor_purpose, self.visitor_can_send,
                                                 self.wall_clock(), tz, lang),
            "visitors": lambda lang: visitors_view(self.visitor_announced, self.visitors, tz,
                                                   lang),
        }

    def _attract_view(self, lang: Lang) -> Any:
        home = self.catalogue.home(lang)
        return attract_view(self.info, self.notices, lang, home.site_name, home.place)

    def _home_view(self, lang: Lang) -> HomeView:
        home = self.catalogue.home(lang)
        return HomeView(
            prompt=home.prompt,
            tiles=tuple(Row(t.title, t.note, id=t.id) for t in home.tiles),
            actions=tuple(Choice(a, say(k, lang)) for a, k in _HOME_ACTIONS),
        )

    def _item_view(self, lang: Lang) -> Any:
        item = self._item(self.item_id)
        return item_view(item, lang, format_price(item, lang), self.logged_in)

    def _message_view(self, lang: Lang) -> Any:
        assert self._message is not None
        return self._message(lang)

    # -- moving between screens --------------------------------------------------------------

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
        self._show(self._parent())

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
            "visitor": self.open_visitor,
        }
        actions[target]()
