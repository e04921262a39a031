"""Widgets shared by the kiosk's screens; their look is in widgets.kv beside this file."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

__all__ = [
    "BusyOverlay",
    "Card",
    "ChoiceButton",
    "EvenGrid",
    "Field",
    "HomeActionButton",
    "HotlineBar",
    "ItemRowView",
    "Keypad",
    "KeypadKey",
    "KioskButton",
    "KioskLabel",
    "MenuTileButton",
    "RowButton",
    "WideButton",
]


class KioskLabel(Label):
    """Wrapping text whose height follows its content, so nothing is cut off."""


class KioskButton(ButtonBehavior, Label):
    """A touch button at least `theme.TOUCH_MIN` high and wide."""

    kind = StringProperty("normal")  # normal | accent | danger | quiet


class WideButton(ButtonBehavior, Label):
    """A button as wide as its place, its text wrapping; at least `theme.TOUCH_MIN` high."""

    kind = StringProperty("normal")


class HomeActionButton(WideButton):
    """A home-screen action; all of them as tall as two lines, so a row lines up."""


class Field(ButtonBehavior, BoxLayout):
    """An input shown as a box: its label and what was typed; touching it makes it the one
    the keypad types into (`active`)."""

    label = StringProperty("")
    value = StringProperty("")
    hint = BooleanProperty(False)  # value is the grey example, not typed text
    active = BooleanProperty(False)


class ChoiceButton(ButtonBehavior, Label):
    """One of several choices (a category, repair or complaint); `selected` shows it picked."""

    choice_id = StringProperty("")
    selected = BooleanProperty(False)


class MenuTileButton(ButtonBehavior, BoxLayout):
    """A service menu on the home screen: its name and its note (e.g. free / paid)."""

    menu_id = StringProperty("")
    title = StringProperty("")
    note = StringProperty("")
    color_index = NumericProperty(0)


class RowButton(ButtonBehavior, BoxLayout):
    """A line of a list: title, a detail line, a value on the right; tappable when it opens
    something (`row_id` set)."""

    row_id = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    value = StringProperty("")


class Card(BoxLayout):
    """A white panel."""


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


class KeypadKey(ButtonBehavior, Label):
    """One key of the numeric keypad."""


class Keypad(BoxLayout):
    """A numeric keypad: 3 columns of `keys` and an OK key below. Dispatches
    `on_key(key)` and `on_ok()`; what a key means is the controller's business.

    `min_height` is the least height at which every key is still a touch target
    (`theme.KEY_MIN`) with its text inside it (large text makes the digits taller); a screen
    gives the keypad at least that and lets the rest of its content scroll instead."""

    keys = ListProperty([])
    ok_text = StringProperty("")
    enabled = BooleanProperty(True)
    key_text_height = NumericProperty(0)  # the tallest rendered text of a key
    key_min = NumericProperty(0)  # least height of a key (widgets.kv)
    ok_min = NumericProperty(0)  # least height of the OK key (widgets.kv)
    min_height = NumericProperty(0)
    __events__ = ("on_key", "on_ok")

    def on_keys(self, _pad: Keypad, keys: list[str]) -> None:
        grid = self.ids.grid
        if [k.text for k in reversed(grid.children)] == list(keys):
            return  # the same pad: keep its widgets (a key press must not rebuild it)
        grid.clear_widgets()
        for key in keys:
            widget = KeypadKey(text=key, on_release=self._pressed)
            widget.bind(texture_size=self._measure)
            grid.add_widget(widget)
        self._measure()

    def _measure(self, *_args: object) -> None:
        self.key_text_height = max((k.texture_size[1] for k in self.ids.grid.children),
                                   default=0)

    def _pressed(self, key: KeypadKey) -> None:
        if self.enabled:
            self.dispatch("on_key", key.text)

    def on_key(self, key: str) -> None:
        pass

    def on_ok(self) -> None:
        pass


class ItemRowView(ButtonBehavior, BoxLayout):
    """One service of a menu: its name and its price; touching it opens the item."""

    item_id = StringProperty("")
    name = StringProperty("")
    price = StringProperty("")


class HotlineBar(Label):
    """The 24-hour hotline, shown on every screen (ARCHITECTURE §8: the way out of any refusal)."""


class BusyOverlay(FloatLayout):
    """Covers the screen while a call is under way: a message and a moving bar. Swallows
    touches meanwhile, so a second tap cannot send a second order."""

    text = StringProperty("")
    phase = NumericProperty(0.0)

    def on_touch_down(self, touch: Any) -> bool:
        return bool(self.text)

    def on_touch_up(self, touch: Any) -> bool:
        return bool(self.text)
