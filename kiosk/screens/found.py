"""The item was found: where it is (shelf), what it is, and the confirmation button."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class FoundScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # FoundView | None
