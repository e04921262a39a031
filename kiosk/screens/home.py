"""The home screen: the site, the three service menus, the language toggle, the hotline."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.catalogue import HomeView
from kiosk.widgets import MenuTileButton


class HomeScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # HomeView | None

    def on_view(self, _screen: HomeScreen, view: HomeView | None) -> None:
        tiles = self.ids.tiles
        tiles.clear_widgets()
        if view is None:
            return
        for index, tile in enumerate(view.tiles):
            tiles.add_widget(
                MenuTileButton(menu_id=tile.id, title=tile.title, note=tile.note, color_index=index)
            )


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
