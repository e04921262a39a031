"""The Kivy application: the frame (kiosk/chrome.kv) around a screen manager of the kiosk's
screens, driven by the plain `KioskController`.

Import this only after `kiosk.boot.configure_kivy` (creating the window reads Kivy's config).
The controller decides; after each change it calls `render`, which copies its state into Kivy
properties (`lang`, `fs`, `chrome`) and the current screen's `view`, which the kv files show.
Threads (health poll, serial readers, API calls) never touch widgets: they hand their results
to the UI thread with `Clock.schedule_once`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.logger import Logger
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.screenmanager import Screen, ScreenManager

from kiosk import theme
from kiosk.api_client import ApiClient
from kiosk.catalogue import DEFAULT_LANG, LANGS
from kiosk.chrome import KioskRoot
from kiosk.connectivity import HealthPoller
from kiosk.controller import KioskController
from kiosk.fonts import bold_sibling
from kiosk.readers import ReaderKind, SerialReader
from kiosk.screens import (
    AccountScreen,
    AttractScreen,
    ConfirmScreen,
    FoundScreen,
    HomeScreen,
    ItemScreen,
    ListScreen,
    LoginScreen,
    MenuScreen,
    MessageScreen,
    PickupScreen,
    ReportScreen,
    RequestScreen,
    VisitorScreen,
    VisitorsScreen,
)
from kiosk.transition import InstantTransition

__all__ = ["KioskApp", "deliver_on_ui_thread", "load_layouts", "register_font"]

_KIOSK = Path(__file__).parent

# Kivy sends Python logging to its console: one line per health probe is noise.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)


def register_font(regular: Path) -> None:
    """Make `regular` Kivy's default font, so every label renders Chinese without naming it.

    Kivy's SDL2 text provider opens face 0 of a .ttc collection (for Noto Sans CJK that is the
    JP face, which covers all simplified Chinese characters)."""
    bold = bold_sibling(regular)
    LabelBase.register(
        DEFAULT_FONT,
        fn_regular=str(regular),
        fn_bold=str(bold) if bold else None,
    )


def deliver_on_ui_thread(fn: Callable[[], None]) -> None:
    """For `TaskRunner`: run `fn` on Kivy's UI thread at the next frame."""
    Clock.schedule_once(lambda _dt: fn(), 0)


def load_layouts() -> None:
    """The kv files, each beside its class: the widgets (the others use them), the frame, every
    screen. Loaded when the app builds, not when a module is imported, so importing a screen
    (a test, a tool) reads no file and a second app in one process gets each rule once."""
    for path in (_KIOSK / "widgets.kv", _KIOSK / "chrome.kv",
                 *sorted((_KIOSK / "screens").glob("*.kv"))):
        Builder.unload_file(str(path))
        Builder.load_file(str(path))


def _screens() -> list[Screen]:
    return [
        AttractScreen(name="attract"),
        HomeScreen(name="home"),
        MenuScreen(name="menu"),
        ItemScreen(name="item"),
        ConfirmScreen(name="confirm"),
        ReportScreen(name="report"),
        LoginScreen(name="login"),
        AccountScreen(name="account"),
        ListScreen(name="requests", opens="request"),
        RequestScreen(name="request"),
        ListScreen(name="fees"),
        ListScreen(name="items", opens="held"),
        PickupScreen(name="pickup"),
        FoundScreen(name="found"),
        ListScreen(name="notices"),
        ListScreen(name="contacts"),
        MessageScreen(name="message"),
        VisitorScreen(name="visitor"),
        VisitorsScreen(name="visitors"),
    ]


class KioskApp(App):
    lang = OptionProperty(DEFAULT_LANG, options=list(LANGS))
    # Window short side / 1080: the kv files multiply theme sizes by it.
    scale = NumericProperty(1.0)
    # Font sizes: `scale`, times theme.LARGE_TEXT in large-text mode.
    fs = NumericProperty(1.0)
    # Wider than high: some layouts put things side by side (the kv files read it).
    landscape = BooleanProperty(False)
    font_path = StringProperty("")
    chrome = ObjectProperty(None, allownone=True)  # kiosk.views.Chrome
    screens = ObjectProperty(None, allownone=True)  # ScreenManager, once built

    def __init__(
        self,
        controller: KioskController,
        *,
        font_path: Path | None = None,
        readers: dict[ReaderKind, str] | None = None,
    ) -> None:
        super().__init__()
        self.ctl = controller
        self.font_path = str(font_path or "")
        self.reader_ports = readers or {}
        self.readers: list[SerialReader] = []
        self.poller: HealthPoller | None = None
        # (the kiosk's API client, the heartbeat period): `python -m kiosk` starts the
        # heartbeat on a connection of its own (kiosk/heartbeat.py); None without an API.
        self.heartbeat: tuple[ApiClient, float] | None = None
        # What `python -m kiosk` exits with once the window closes.
        self.exit_code = 0

    # -- lifecycle --------------------------------------------------------------------------

    def build(self) -> KioskRoot:
        load_layouts()
        site = self.ctl.site
        self.title = f"{site.name_zh} {site.name_en}"
        Window.clearcolor = theme.BACKGROUND
        Window.bind(size=self._on_window_size)
        self._on_window_size(Window, Window.size)

        root = KioskRoot()
        # No sliding, not even a zero-length animation: the frame after a tap shows the next
        # screen alone (tap-to-screen under 100 ms).
        self.screens = root.ids.screens
        assert isinstance(self.screens, ScreenManager)
        self.screens.transition = InstantTransition()
        for screen in _screens():
            self.screens.add_widget(screen)
        self.ctl.on_change = self.render
        self.ctl.start()
        return root

    def on_start(self) -> None:
        api = self.ctl.api
        if api is not None:
            self.poller = HealthPoller(api.healthy, self._health)
            self.poller.start()
        for kind, port in self.reader_ports.items():
            reader = SerialReader(kind, port, self._read)
            reader.start()
            self.readers.append(reader)
        Clock.schedule_interval(lambda _dt: self.ctl.tick(), 0.5)
        Clock.schedule_interval(self._animate_busy, 1 / 30)

    def on_stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()
        for reader in self.readers:
            reader.stop()
        self.ctl.end_session()
        self.ctl.runner.shutdown()

    # -- from other threads -----------------------------------------------------------------

    def _health(self, ok: bool) -> None:
        Clock.schedule_once(lambda _dt: self.ctl.health(ok), 0)

    def _read(self, kind: ReaderKind, value: str) -> None:
        Logger.info("Kiosk: %s read", kind)  # never the card number or code: they are keys
        if kind == "card":
            Clock.schedule_once(lambda _dt: self.ctl.card_read(value), 0)
        else:
            Clock.schedule_once(lambda _dt: self.ctl.code_scanned(value), 0)

    # -- drawing ------------------------------------------------------------------------------

    def render(self) -> None:
        ctl = self.ctl
        if self.screens is None:
            return
        self.lang = ctl.lang
        self.fs = self.scale * (theme.LARGE_TEXT if ctl.large_text else 1.0)
        self.chrome = ctl.chrome()
        screen = self.screens.get_screen(ctl.screen)
        screen.view = ctl.view()
        if self.screens.current != ctl.screen:
            Logger.info("Kiosk: screen %s", ctl.screen)
            self.screens.current = ctl.screen

    def _animate_busy(self, _dt: float) -> None:
        if self.root is not None and self.ctl.busy:
            overlay = self.root.ids.busy
            overlay.phase = (Clock.get_time() % 1.2) / 1.2

    def _on_window_size(self, _window: object, size: tuple[int, int]) -> None:
        self.scale = min(size) / theme.BASE_SHORT_SIDE
        self.landscape = size[0] > size[1]
        self.fs = self.scale * (theme.LARGE_TEXT if self.ctl.large_text else 1.0)
