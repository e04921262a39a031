"""My account: the masked name, the balance, and the way to my requests, fees and items."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.views import AccountView
from kiosk.widgets import RowButton


class AccountScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # AccountView | None

    def on_view(self, _screen: AccountScreen, view: AccountView | None) -> None:
        box = self.ids.actions
        box.clear_widgets()
        ctl = App.get_running_app().ctl
        for row in view.actions if view else ():
            b = RowButton(title=row.title, value=row.value, row_id=row.id)
            b.bind(on_release=lambda btn: ctl.open(btn.row_id))
            box.add_widget(b)
