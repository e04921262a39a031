"""Report: the kind first (repair, complaint, help, enquiry, suggestion), then a category for
a repair or a complaint, then the text: optional, except for an enquiry or a suggestion
(typed on a keyboard if the kiosk has one; a Chinese input method is not needed)."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.report_views import ReportView
from kiosk.widgets import ChoiceButton


class ReportScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # ReportView | None

    def on_view(self, _screen: ReportScreen, view: ReportView | None) -> None:
        kinds, cats = self.ids.kinds, self.ids.categories
        kinds.clear_widgets()
        cats.clear_widgets()
        if view is None:
            return
        ctl = App.get_running_app().ctl
        for k in view.kinds:
            b = ChoiceButton(text=k.title, choice_id=k.id, selected=k.selected)
            b.bind(on_release=lambda btn: ctl.report_choose_kind(btn.choice_id))
            kinds.add_widget(b)
        for c in view.categories:
            b = ChoiceButton(text=c.title, choice_id=c.id, selected=c.selected)
            b.bind(on_release=lambda btn: ctl.report_choose(btn.choice_id))
            cats.add_widget(b)

    def on_leave(self, *_args: object) -> None:
        self.ids.note.text = ""
