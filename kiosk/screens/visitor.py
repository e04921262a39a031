"""Announce a visitor: the name typed, the day and time touched from a few choices, the
purpose optional; then the confirmation and the flat's visitors expected (VisitorsScreen)."""

from __future__ import annotations

from collections.abc import Callable

from kivy.app import App
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.views import Choice
from kiosk.visitor_views import VisitorsView, VisitorView
from kiosk.widgets import ChoiceButton, RowButton


def _fill(box: Widget, choices: tuple[Choice, ...], chosen: Callable[[str], None]) -> None:
    box.clear_widgets()
    for c in choices:
        b = ChoiceButton(text=c.title, choice_id=c.id, selected=c.selected)
        b.bind(on_release=lambda btn: chosen(btn.choice_id))
        box.add_widget(b)


class VisitorScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # VisitorView | None

    def on_view(self, _screen: VisitorScreen, view: VisitorView | None) -> None:
        ctl = App.get_running_app().ctl
        _fill(self.ids.days, view.days if view else (), ctl.visitor_choose_day)
        _fill(self.ids.times, view.times if view else (), ctl.visitor_choose_time)
        _fill(self.ids.purposes, view.purposes if view else (), ctl.visitor_choose_purpose)

    def on_leave(self, *_args: object) -> None:
        self.ids.name.text = ""


class VisitorsScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # VisitorsView | None

    def on_view(self, _screen: VisitorsScreen, view: VisitorsView | None) -> None:
        box = self.ids.rows
        box.clear_widgets()
        for row in view.rows if view else ():
            box.add_widget(RowButton(title=row.title, detail=row.detail, value=row.value))
