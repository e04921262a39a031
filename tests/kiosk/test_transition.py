"""The kiosk's screen switch is over within the call that makes it: the next frame drawn after
a tap shows the new screen alone (no zero-length animation finishing a frame later)."""

from __future__ import annotations

import os

import pytest

# Kivy reads these once, at import: no argv parsing, and leave Python's logging (pytest's)
# alone. Put back afterwards so the kiosk processes other tests start see the usual env.
_KIVY_ENV = {"KIVY_NO_ARGS": "1", "KIVY_LOG_MODE": "PYTHON"}
_saved = {k: os.environ.get(k) for k in _KIVY_ENV}
os.environ.update(_KIVY_ENV)
try:
    screenmanager = pytest.importorskip("kivy.uix.screenmanager")
finally:
    for _k, _v in _saved.items():
        if _v is None:
            os.environ.pop(_k, None)
        else:
            os.environ[_k] = _v

from kiosk.transition import InstantTransition  # noqa: E402


def test_a_screen_switch_leaves_only_the_new_screen_before_any_frame() -> None:
    manager = screenmanager.ScreenManager(transition=InstantTransition())
    home, menu = screenmanager.Screen(name="home"), screenmanager.Screen(name="menu")
    manager.add_widget(home)
    manager.add_widget(menu)
    events: list[str] = []
    menu.bind(on_enter=lambda screen: events.append(f"enter {screen.name}"))
    home.bind(on_leave=lambda screen: events.append(f"leave {screen.name}"))

    manager.current = "menu"

    assert manager.children == [menu]
    assert not manager.transition.is_active
    assert events == ["enter menu", "leave home"]

    manager.current = "home"
    assert manager.children == [home]
