"""A heading line and rows: my requests, my fees, my held items, notices, emergency numbers
(one layout, one screen each). Rows of "my requests" open the request; a held item's row with
an id (logged in by card) opens it to be collected."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.views import ListView
from kiosk.widgets import RowButton


class ListScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # ListView | None
    opens = StringProperty("")  # "request": a row opens that request; "held": that item

    def on_view(self, _screen: ListScreen, view: ListView | None) -> None:
        box = self.ids.rows
        box.clear_widgets()
        ctl = App.get_running_app().ctl
        for row in view.rows if view else ():
            b = RowButton(title=row.title, detail=row.detail, value=row.value,
                          row_id=row.id if self.opens else "")
            if self.opens == "request":
                b.bind(on_release=lambda btn: ctl.open_request(btn.row_id))
            elif self.opens == "held" and row.id:
                b.bind(on_release=lambda btn: ctl.open_held(btn.row_id))
            box.add_widget(b)
        self.ids.scroller.scroll_y = 1
