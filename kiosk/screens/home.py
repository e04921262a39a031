"""The home screen: the three service menus, then my account, pick up an item, report or ask
for help, announce a visitor, notices, emergency numbers (the hotline is in the frame of
every screen)."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.views import HomeView
from kiosk.widgets import HomeActionButton, MenuTileButton


class HomeScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # HomeView | None

    def on_view(self, _screen: HomeScreen, view: HomeView | None) -> None:
        tiles, actions = self.ids.tiles, self.ids.actions
        tiles.clear_widgets()
        actions.clear_widgets()
        if view is None:
            return
        for index, tile in enumerate(view.tiles):
            tiles.add_widget(
                MenuTileButton(menu_id=tile.id, title=tile.title, note=tile.detail,
                               color_index=index)
            )
        for action in view.actions:
            button = HomeActionButton(text=action.title)
            button.bind(on_release=lambda _b, target=action.id: self._open(target))
            actions.add_widget(button)

    def _open(self, target: str) -> None:
        from kivy.app import App

        App.get_running_app().ctl.open(target)
