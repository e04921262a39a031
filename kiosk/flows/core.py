"""What every flow of the kiosk stands on: the shared state, calls to the control room and the
outcome and refusal messages.

Rules kept here:
- while the control room is unreachable every call is refused at once with the hotline, and
  nothing is queued to be sent later behind the resident's back;
- a late answer for a session that has ended is dropped (`_generation`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from config import MenuItem, Site
from kiosk.api_client import ApiError
from kiosk.catalogue import Catalogue, pick
from kiosk.connectivity import Connectivity
from kiosk.formats import format_time
from kiosk.idle import DEFAULT_IDLE_S, IdleTimer
from kiosk.kiosk_api import KioskApi, ResidentSession
from kiosk.remote_config import take_in
from kiosk.views import MessageView
from kiosk.vocabulary import Vocabulary
from kiosk.wording import Lang, say

__all__ = ["PARENT", "PUBLIC_REFRESH_S", "SCREENS", "Json", "KioskCore", "Pending", "Runner"]

log = logging.getLogger("kiosk")
Json = dict[str, Any]
Runner = Any  # kiosk.tasks.TaskRunner (or a test double with the same submit())

SCREENS = ("attract", "home", "menu", "item", "confirm", "report", "login", "account",
           "requests", "request", "fees", "items", "pickup", "found", "notices", "contacts",
           "message", "visitor", "visitors")
# Where "back" leads from each screen.
PARENT = {"menu": "home", "item": "menu", "confirm": "item", "request": "requests",
          "requests": "account", "fees": "account", "items": "account", "found": "pickup"}
# While the attract screen shows, its notices and the building's incident banner are asked for
# again this often: a scheduled notice appears at its time and a gas incident within this,
# with no one touching the screen (two small GETs per kiosk).
PUBLIC_REFRESH_S = 10.0


@dataclass(frozen=True)
class Pending:
    """What the resident wanted before being asked to log in."""

    action: str
    arg: str = ""


class KioskCore:
    # When the last call to the control room went out (the session flow's keep-alive).
    _last_call = 0.0
    # When the attract screen's public data was last asked for.
    _public_at = float("-inf")

    def __init__(self, site: Site, kiosk_id: str | None, api: KioskApi | None, runner: Runner,
                 *, idle_s: float = DEFAULT_IDLE_S, clock: Callable[[], float] = time.monotonic,
                 lang: Lang = "zh") -> None:
        self.site = site
        self.kiosk_id = kiosk_id
        self.catalogue = Catalogue(site, kiosk_id)
        # The version of the configuration in use (remote kiosks only; see _set_info).
        self._config_version = ""
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
        # Request state labels, from the control room (kiosk.vocabulary).
        self.vocabulary = Vocabulary()
        self._reset_resident()

    def _reset_resident(self) -> None:
        """Forget the resident; every flow extends this with its own state."""
        self.session: ResidentSession | None = None
        self.pending: Pending | None = None
        self.menu_id = ""
        self.item_id = ""
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

    # -- provided by the session flow (kiosk.flows.session) -------------------------------

    def _require_login(self, action: str, arg: str = "") -> bool:
        raise NotImplementedError

    def _session_ended(self) -> None:
        raise NotImplementedError

    def touched(self) -> None:
        """Any touch, card or scan: the resident is still there (the idle rule)."""
        self.idle.touch(self.clock())

    # -- screens ---------------------------------------------------------------------------

    def _show(self, screen: str) -> None:
        assert screen in SCREENS, screen
        self.screen = screen
        self.on_change()

    def _message_screen(self, build: Callable[[Lang], MessageView]) -> None:
        self._message = build
        self._show("message")

    def _tick_screen(self) -> None:
        """About twice a second: a flow whose screen counts down redraws it."""

    def _parent(self) -> str:
        """Where "back" leads from the current screen."""
        return PARENT.get(self.screen, "home")

    # -- connectivity ------------------------------------------------------------------------

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
        self._last_call = self.clock()
        if not quiet:
            self.busy += 1
            self.on_change()
        generation = self._generation
        self.runner.submit(call, partial(self._answered, generation, quiet, done),
                           partial(self._call_failed, generation, quiet, failed))

    def _call_over(self, generation: int, quiet: bool) -> bool:
        """The call has come back: whether its answer still belongs to the current session."""
        if not quiet:
            self.busy = max(0, self.busy - 1)
        return generation == self._generation

    def _answered(self, generation: int, quiet: bool, done: Callable[[Any], None],
                  result: Any) -> None:
        if self._call_over(generation, quiet):
            done(result)
        self.on_change()

    def _call_failed(self, generation: int, quiet: bool,
                     failed: Callable[[ApiError], None] | None, exc: ApiError) -> None:
        current = self._call_over(generation, quiet) and not quiet
        if exc.offline:
            self.connectivity.call_failed()
            if current:
                self._refuse_offline()
        elif current:
            (failed or self._refuse)(exc)
        self.on_change()

    def _refresh_public(self) -> None:
        api = self.api
        if api is None:
            return
        self._public_at = self.clock()
        self._call(api.info, self._set_info, quiet=True)
        self._call(api.notices, self._set_notices, quiet=True)
        if not self.vocabulary.loaded:
            self._call(api.vocabulary, self._set_vocabulary, quiet=True)

    @property
    def remote(self) -> bool:
        """Configured by the control room's answer (kiosk.remote_config), not a site file."""
        return self.site.path.startswith(("http://", "https://"))

    def _config_changed(self, version: str) -> None:
        """The control room's configuration is not the one in use (a new site file: menus,
        prices, promises). It is taken in on the attract screen with no one logged in, never
        under a resident's fingers; elsewhere the next look at `info` there asks again."""
        api = self.api
        if (api is None or not self.remote or not version or version == self._config_version
                or self.screen != "attract" or self.logged_in):
            return
        self._call(api.config, self._set_config, quiet=True)

    def _set_config(self, cfg: Json) -> None:
        if self.screen != "attract" or self.logged_in:
            return
        try:
            site = take_in(cfg, self.site.api_url)
        except ValueError as exc:
            log.warning("kept the configuration in use: %s", exc)
            return
        first = not self._config_version
        self._config_version = str(cfg.get("version", ""))
        self.site = site
        self.catalogue = Catalogue(site, self.kiosk_id)
        if not first:
            log.info("the control room's new configuration is in use (%s)",
                     self._config_version)

    def _tick_public(self) -> None:
        """The attract screen's notices and banner, again every PUBLIC_REFRESH_S while it
        shows (called from the app's tick)."""
        if self.screen == "attract" and self.clock() - self._public_at >= PUBLIC_REFRESH_S:
            self._refresh_public()

    def _set_info(self, info: Json) -> None:
        self.info = info
        self._config_changed(str(info.get("config_version") or ""))

    def _set_notices(self, notices: list[Json]) -> None:
        self.notices = notices

    def _set_vocabulary(self, answer: Json) -> None:
        self.vocabulary = Vocabulary.of(answer)

    # -- outcomes and refusals ---------------------------------------------------------------

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

    def _created(self, request: Json, title_key: str) -> None:
        """A request placed (an order, a report): its number and the time promised."""
        self._message_screen(lambda lang: MessageView(
            title=say(title_key, lang),
            number_label=say("your_number", lang),
            number=str(request.get("number", "")),
            body=(say("promised_by", lang, at=format_time(request.get("promised_by"), self.tz,
                                                        lang))
                  if request.get("promised_by") else ""),
            ok=True, button=say("done_home", lang)))

    # -- the site's menus --------------------------------------------------------------------

    def _item(self, item_id: str) -> MenuItem:
        for m in self.site.menus:
            for it in m.items:
                if it.id == item_id:
                    return it
        raise KeyError(item_id)

    def menu_title(self, menu_id: str) -> str:
        m = next(m for m in self.site.menus if m.id == menu_id)
        return pick(self.lang, m.name_zh, m.name_en)
