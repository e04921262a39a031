"""A service menu: its items with their prices; touching one opens it to order."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.catalogue import MenuView
from kiosk.widgets import ItemRowView


class MenuScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # MenuView | None

    def on_view(self, _screen: MenuScreen, view: MenuView | None) -> None:
        rows = self.ids.rows
        rows.clear_widgets()
        if view is None:
            return
        for row in view.rows:
            rows.add_widget(ItemRowView(item_id=row.id, name=row.name, price=row.price))
        self.ids.scroller.scroll_y = 1
