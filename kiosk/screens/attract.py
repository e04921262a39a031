"""The attract screen after inactivity: the site, notices, a building alert banner during an
incident, and "touch to start". Nothing personal: no one is logged in here."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.views import AttractView
from kiosk.widgets import RowButton


class AttractScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # AttractView | None

    def on_view(self, _screen: AttractScreen, view: AttractView | None) -> None:
        box = self.ids.notices
        box.clear_widgets()
        for n in view.notices if view else ():
            box.add_widget(RowButton(title=n.title, detail=n.detail))

    # The whole screen is one button: any touch starts.
    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return self.collide_point(*touch.pos)

    def on_touch_up(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos) and self.manager and self.manager.current == self.name:
            App.get_running_app().ctl.touch_start()
            return True
        return False
