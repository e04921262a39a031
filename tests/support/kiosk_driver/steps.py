"""The steps a driver script can take in the real kiosk window (the script format: the
package's docstring, tests/support/kiosk_driver/__init__.py), and the waiting they share.

Each step is a generator advanced once per frame by the driver (driver.py). Taps are
`UnitTestTouch` motion events posted to Kivy's event loop at window coordinates, so they travel
Window -> screen manager -> screen -> widget exactly like a finger on the glass. Imports Kivy:
import this module only after `kiosk.boot.configure_kivy`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.widgets import Keypad

from .screen import in_button, labels, layout_now, texts, visible_rect
from .script import Script, Step

if TYPE_CHECKING:
    from kiosk.app import KioskApp


class StepFailed(Exception):
    pass


class Steps:
    """The step implementations, part of ScriptDriver (driver.py), which sets these up and
    calls `_step_<kind>` for each step."""

    app: KioskApp
    script: Script
    _flips: int  # frames drawn since the driver started
    _detail: str  # the current step's result, in words
    _ms: float | None  # measure_tap's time
    _layout: dict[str, Any] | None  # layout's measurements

    def _step_screenshot(self, step: Step, timeout: float) -> Iterator[None]:
        yield from self._screenshot(self._path(step["screenshot"]), timeout)

    def _step_tap_text(self, step: Step, timeout: float) -> Iterator[None]:
        yield from self._tap_text(str(step["tap_text"]), timeout)

    def _step_wait_screen(self, step: Step, timeout: float) -> Iterator[None]:
        name = str(step["wait_screen"])
        yield from self._until(lambda: self._settled(name), timeout, f"screen {name!r}")
        self._detail = f"screen {name!r} is shown"

    def _step_tap_keys(self, step: Step, timeout: float) -> Iterator[None]:
        yield from self._settle(timeout)
        for key in str(step["tap_keys"]):
            yield from self._tap_key(key)
        self._detail = f"typed {step['tap_keys']!r}"

    def _step_tap_keys_from_file(self, step: Step, timeout: float) -> Iterator[None]:
        # Keys known only while the script runs (a one-time code the test took from its SMS
        # gateway): the file appears, then its text is typed; the report names no key.
        path = self._path(str(step["tap_keys_from_file"]))
        yield from self._until(path.exists, timeout, f"the file {path}")
        keys = path.read_text(encoding="utf-8").strip()
        yield from self._settle(timeout)
        for key in keys:
            yield from self._tap_key(key)
        self._detail = f"typed the {len(keys)} keys of {path.name}"

    def _step_type_text(self, step: Step, timeout: float) -> Iterator[None]:
        # A finger on the text field (it takes the focus), then the text as a keyboard
        # would type it: into the field whose grey hint is `field`, else the only one shown.
        yield from self._settle(timeout)
        hint = step.get("field")
        root = self.app.root
        fields = [w for w in root.walk(restrict=True) if isinstance(w, TextInput)
                  and visible_rect(w) is not None
                  and (hint is None or w.hint_text == hint)] if root else []
        if len(fields) != 1:
            raise StepFailed(f"{len(fields)} visible text fields match {hint!r}")
        yield from self._touch(fields[0])
        yield from self._until(lambda: fields[0].focus, timeout, "the field's focus")
        fields[0].insert_text(str(step["type_text"]))
        yield from self._frames(1)
        self._detail = f"typed {step['type_text']!r}"

    def _step_mark(self, step: Step, _timeout: float) -> Iterator[None]:
        # The display in the file: a test outside may look at the window through it.
        where = {k: os.environ.get(k, "") for k in ("DISPLAY", "XAUTHORITY")}
        self._path(str(step["mark"])).write_text(json.dumps(where), encoding="utf-8")
        self._detail = f"marked {step['mark']}"
        yield from ()

    def _step_wait_file(self, step: Step, timeout: float) -> Iterator[None]:
        path = self._path(str(step["wait_file"]))
        yield from self._until(path.exists, timeout, f"the file {path}")

    def _step_measure_tap(self, step: Step, timeout: float) -> Iterator[None]:
        yield from self._measure_tap(str(step["measure_tap"]), str(step["screen"]), timeout)

    def _step_set_idle(self, step: Step, _timeout: float) -> Iterator[None]:
        self.app.ctl.idle.idle_s = float(step["set_idle"])
        self.app.ctl.touched()
        self._detail = f"idle timeout now {step['set_idle']} s"
        yield from ()

    def _step_layout(self, _step: Step, timeout: float) -> Iterator[None]:
        yield from self._settle(timeout)
        self._layout = layout_now(self.app)
        self._detail = f"{len(self._layout['keys'])} keypad keys measured"

    def _step_wait_no_text(self, step: Step, timeout: float) -> Iterator[None]:
        gone = str(step["wait_no_text"])
        yield from self._until(lambda: gone not in texts(self.app), timeout,
                               f"no visible label {gone!r}")

    def _step_wait_text(self, step: Step, timeout: float) -> Iterator[None]:
        wanted = str(step["wait_text"])
        yield from self._until(lambda: wanted in texts(self.app), timeout,
                               f"a visible label {wanted!r}")

    def _step_wait(self, step: Step, _timeout: float) -> Iterator[None]:
        end = time.monotonic() + float(step["wait"])
        while time.monotonic() < end:
            yield

    def _screenshot(self, path: Path, timeout: float) -> Iterator[None]:
        yield from self._settle(timeout)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Window.screenshot numbers its files (name0001.png); move the result to `path`.
        saved = Window.screenshot(name=str(path))
        if not saved:
            raise StepFailed("the window provider cannot take screenshots")
        os.replace(saved, path)
        self._detail = f"saved {path}"

    def _find(self, text: str) -> Label:
        found = [w for w in labels(self.app) if w.text == text]
        # A label on (or inside) a button first: the same words may also be a title.
        label = next((w for w in found if in_button(w)), None) or next(iter(found), None)
        if label is None:
            raise StepFailed(f"no visible label {text!r}; visible: {texts(self.app)}")
        return label

    def _touch(self, widget: Widget) -> Iterator[None]:
        rect = visible_rect(widget)
        assert rect is not None
        x, y = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        yield from self._frames(1)  # let the button show its pressed state, as a finger would
        touch.touch_up()
        self._detail = f"tapped {getattr(widget, 'text', '')!r} at ({x:.0f}, {y:.0f})"

    def _tap_text(self, text: str, timeout: float) -> Iterator[None]:
        yield from self._settle(timeout)
        yield from self._touch(self._find(text))
        yield from self._frames(1)

    def _tap_key(self, key: str) -> Iterator[None]:
        root = self.app.root
        pads = [w for w in root.walk(restrict=True) if isinstance(w, Keypad)
                and visible_rect(w) is not None] if root else []
        keys = [k for pad in pads for k in pad.ids.grid.children if k.text == key]
        if not keys:
            raise StepFailed(f"no key {key!r} on a visible keypad")
        yield from self._touch(keys[0])
        yield from self._frames(1)

    def _measure_tap(self, text: str, screen: str, timeout: float) -> Iterator[None]:
        """From the finger lifting to the first frame shown with `screen` current."""
        yield from self._settle(timeout)
        label = self._find(text)
        rect = visible_rect(label)
        assert rect is not None
        touch = UnitTestTouch((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2)
        touch.touch_down()
        yield from self._frames(1)
        start = time.perf_counter()
        touch.touch_up()
        yield from self._until(lambda: self._settled(screen), timeout, f"screen {screen!r}")
        Window.canvas.ask_update()
        seen = self._flips
        yield from self._until(lambda: self._flips > seen, timeout, "a drawn frame")
        self._ms = round((time.perf_counter() - start) * 1000, 1)
        self._detail = f"{text!r} -> {screen}: {self._ms} ms"

    # -- waiting ----------------------------------------------------------------------------

    def _frames(self, count: int) -> Iterator[None]:
        for _ in range(count):
            yield

    def _until(self, condition: Callable[[], bool], timeout: float, what: str) -> Iterator[None]:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise StepFailed(f"timed out after {timeout:g} s waiting for {what}")
            yield

    def _settled(self, name: str | None = None) -> bool:
        screens = self.app.screens
        if screens is None or screens.transition.is_active or self.app.ctl.busy:
            return False
        return name is None or screens.current == name

    def _settle(self, timeout: float) -> Iterator[None]:
        """Until no transition runs and a frame drawn after that has been shown."""
        yield from self._until(self._settled, timeout, "the screen transition to end")
        # Kivy draws only when a canvas changed: ask for one frame of the settled screen.
        Window.canvas.ask_update()
        seen = self._flips
        yield from self._until(lambda: self._flips > seen, timeout, "a drawn frame")

    def _path(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else self.script.base / path
