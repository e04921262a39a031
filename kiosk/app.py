"""The Kivy application: a screen manager over the home and menu screens.

Import this only after `kiosk.boot.configure_kivy` (creating the window reads Kivy's config).
The app holds the state (language, current menu) in Kivy properties and asks the plain
`Catalogue` what to show.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.logger import Logger
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.screenmanager import ScreenManager, SlideTransition

from kiosk import theme
from kiosk.api_client import ApiClient
from kiosk.catalogue import DEFAULT_LANG, LANGS, Catalogue, Lang, toggle_lang
from kiosk.fonts import bold_sibling
from kiosk.screens import HomeScreen, MenuScreen

if TYPE_CHECKING:
    from kiosk.testdriver import ScriptDriver

__all__ = ["KioskApp", "register_font"]


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


class KioskApp(App):
    lang = OptionProperty(DEFAULT_LANG, options=list(LANGS))
    # Window short side / 1080: the kv files multiply theme sizes by it.
    scale = NumericProperty(1.0)
    font_path = StringProperty("")
    screens = ObjectProperty(None, allownone=True)  # ScreenManager, once built

    def __init__(
        self,
        catalogue: Catalogue,
        lang: Lang = DEFAULT_LANG,
        *,
        font_path: Path | None = None,
        script: Path | None = None,
        api: ApiClient | None = None,
    ) -> None:
        super().__init__()
        self.catalogue = catalogue
        self._start_lang = lang
        self.font_path = str(font_path or "")
        self.script = script
        self.api = api
        self.driver: ScriptDriver | None = None
        self.exit_code = 0

    # -- lifecycle --------------------------------------------------------------------------

    def build(self) -> ScreenManager:
        site = self.catalogue.site
        self.title = f"{site.name_zh} {site.name_en}"
        Window.clearcolor = theme.BACKGROUND
        Window.bind(size=self._on_window_size)
        self._on_window_size(Window, Window.size)

        self.home_screen = HomeScreen(name="home")
        self.menu_screen = MenuScreen(name="menu")
        self.screens = ScreenManager(transition=SlideTransition(duration=0.25))
        self.screens.add_widget(self.home_screen)
        self.screens.add_widget(self.menu_screen)
        self.lang = self._start_lang
        self._refresh()
        return self.screens

    def on_start(self) -> None:
        if self.script is not None:
            from kiosk.testdriver import ScriptDriver

            # Kivy's clock holds callbacks weakly: the app keeps the driver alive.
            self.driver = ScriptDriver.from_file(self, self.script)
            self.driver.start()

    def on_stop(self) -> None:
        if self.api is not None:
            self.api.close()

    # -- what the kv files call -------------------------------------------------------------

    def toggle_lang(self) -> None:
        self.lang = toggle_lang(self.lang)

    def open_menu(self, menu_id: str) -> None:
        assert self.screens is not None
        Logger.info("Kiosk: open menu %s", menu_id)
        self.menu_screen.view = self.catalogue.menu(menu_id, self.lang)
        self.screens.transition.direction = "left"
        self.screens.current = "menu"

    def go_home(self) -> None:
        assert self.screens is not None
        self.screens.transition.direction = "right"
        self.screens.current = "home"

    # -- reactions --------------------------------------------------------------------------

    def on_lang(self, _app: KioskApp, _lang: str) -> None:
        self._refresh()

    def _refresh(self) -> None:
        if self.screens is None:
            return
        self.home_screen.view = self.catalogue.home(self.lang)
        shown = self.menu_screen.view
        if shown is not None:
            self.menu_screen.view = self.catalogue.menu(shown.id, self.lang)

    def _on_window_size(self, _window: object, size: tuple[int, int]) -> None:
        self.scale = min(size) / theme.BASE_SHORT_SIDE
