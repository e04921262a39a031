"""One service: its price, who handles it and what is promised; the order button."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class ItemScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # ItemView | None
