"""An outcome: an order's confirmation number, a pickup done, or a refusal with the hotline."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class MessageScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # MessageView | None
