"""Widgets shared by the kiosk's screens; their look is in widgets.kv beside this file."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

__all__ = [
    "EvenGrid",
    "HotlineBar",
    "ItemRowView",
    "KioskButton",
    "KioskLabel",
    "MenuTileButton",
]


class KioskLabel(Label):
    """Wrapping text whose height follows its content, so nothing is cut off."""


class KioskButton(ButtonBehavior, Label):
    """A touch button at least `theme.TOUCH_MIN` high and wide."""


class MenuTileButton(ButtonBehavior, BoxLayout):
    """A service menu on the home screen: its name and its note (e.g. free / paid)."""

    menu_id = StringProperty("")
    title = StringProperty("")
    note = StringProperty("")
    color_index = NumericProperty(0)


class EvenGrid(GridLayout):
    """Cells side by side (landscape) or stacked (portrait). With more than one column every
    cell is as tall as the tallest one's content (`cell_height`, which the cells' kv rules
    read), so rows line up whatever the length of the texts; in one column each cell keeps
    its own height."""

    cell_height = NumericProperty(0)

    def on_children(self, _grid: EvenGrid, children: list[Widget]) -> None:
        for child in children:
            child.unbind(minimum_height=self._measure)
            child.bind(minimum_height=self._measure)
        self._measure()

    def on_cols(self, _grid: EvenGrid, _cols: int) -> None:
        self._measure()

    def _measure(self, *_args: object) -> None:
        if (self.cols or 1) <= 1:
            self.cell_height = 0
            return
        self.cell_height = max(
            (getattr(c, "minimum_height", c.height) for c in self.children), default=0
        )


class ItemRowView(BoxLayout):
    """One service of a menu: its name and its price."""

    item_id = StringProperty("")
    name = StringProperty("")
    price = StringProperty("")


class HotlineBar(Label):
    """The 24-hour hotline, shown on every screen (ARCHITECTURE §8: the way out of any refusal)."""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
