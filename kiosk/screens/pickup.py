"""Pick up an item: the pickup code on the keypad (or the slip under the scanner); after too
many wrong codes the keypad is dead and a countdown shows when to try again."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class PickupScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # PickupView | None
