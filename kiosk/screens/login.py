"""Log in: hold the resident card to the reader, or type the flat and the PIN on the keypad."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class LoginScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # LoginView | None

    def on_view(self, _screen: LoginScreen, view: object) -> None:
        if getattr(view, "error", ""):
            # After layout: when the form must scroll (large text, a long line), the error
            # line is what the resident needs to see, above the keypad.
            Clock.schedule_once(self._show_error, 0)

    def _show_error(self, _dt: float) -> None:
        scroll, error = self.ids.scroll, self.ids.error
        if error.text and scroll.children and scroll.children[0].height > scroll.height:
            scroll.scroll_to(error, padding=0, animate=False)
