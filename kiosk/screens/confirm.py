"""A paid order before it is placed: the item, its price, what confirming means; confirm or
cancel (kiosk.flows.ordering decides when it shows)."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class ConfirmScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # ConfirmView | None
