"""The frame around every screen: header (back, title, large text, language), the resident's
bar (masked name, log out), the offline banner, the screens, the hotline, and the progress
overlay on top. Layout in chrome.kv beside this file."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.uix.floatlayout import FloatLayout

__all__ = ["KioskRoot"]


class KioskRoot(FloatLayout):
    def on_touch_down(self, touch: Any) -> bool:
        # Any touch anywhere keeps the resident's session alive (the idle rule).
        App.get_running_app().ctl.touched()
        return bool(super().on_touch_down(touch))
