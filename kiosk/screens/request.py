"""One of my requests: its state, what happens next, the time promised, and its timeline."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.views import RequestView
from kiosk.widgets import RowButton


class RequestScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # RequestView | None

    def on_view(self, _screen: RequestScreen, view: RequestView | None) -> None:
        box = self.ids.timeline
        box.clear_widgets()
        for step in view.timeline if view else ():
            box.add_widget(RowButton(title=step.title, value=step.value))
