"""The script driver: performs a script's steps in the real kiosk window (see the package's
docstring, tests/support/kiosk_driver/__init__.py, for the steps and the report).

Taps are `UnitTestTouch` motion events posted to Kivy's event loop at window coordinates, so
they travel Window -> screen manager -> screen -> widget exactly like a finger on the glass.
Imports Kivy: import this module only after `kiosk.boot.configure_kivy`.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.logger import Logger
from kivy.tests.common import UnitTestTouch
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.widgets import ItemRowView, Keypad

if TYPE_CHECKING:
    from kiosk.app import KioskApp

__all__ = ["Script", "ScriptDriver", "ScriptError"]

DEFAULT_STEP_TIMEOUT = 10.0
Step = dict[str, Any]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in window pixels
_KINDS = ("screenshot", "tap_text", "wait_screen", "wait_text", "wait", "tap_keys", "mark",
          "wait_file", "measure_tap", "wait_no_text", "set_idle", "layout",
          "tap_keys_from_file", "type_text")


class ScriptError(Exception):
    """The script file itself is unusable."""


class StepFailed(Exception):
    pass


@dataclass(frozen=True)
class Script:
    steps: tuple[Step, ...]
    report: Path
    base: Path
    timeout: float

    @classmethod
    def load(cls, path: Path) -> Script:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScriptError(f"{path}: {exc}") from None
        spec = {"steps": raw} if isinstance(raw, list) else raw
        if not isinstance(spec, dict) or not isinstance(spec.get("steps"), list):
            raise ScriptError(f"{path}: expected a list of steps or an object with 'steps'")
        for i, step in enumerate(spec["steps"]):
            kinds = [k for k in _KINDS if isinstance(step, dict) and k in step]
            if len(kinds) != 1:
                raise ScriptError(f"{path}: steps[{i}]: needs exactly one of {', '.join(_KINDS)}")
        base = path.resolve().parent
        report = Path(spec.get("report") or path.with_suffix(".report.json").name)
        return cls(
            steps=tuple(spec["steps"]),
            report=report if report.is_absolute() else base / report,
            base=base,
            timeout=float(spec.get("timeout", 120)),
        )


class ScriptDriver:
    def __init__(self, app: KioskApp, script: Script) -> None:
        self.app = app
        self.script = script
        self.results: list[dict[str, Any]] = []
        self.error: str | None = None
        self._flips = 0
        self._index = -1
        self._current: Iterator[None] | None = None
        self._step_started = 0.0
        self._deadline = 0.0
        self._done = False
        self._detail = ""
        self._ms: float | None = None
        self._layout: dict[str, Any] | None = None
        self.first_frame_at: float | None = None

    @classmethod
    def from_file(cls, app: KioskApp, path: Path) -> ScriptDriver:
        return cls(app, Script.load(path))

    def start(self) -> None:
        Logger.info("Kiosk: running script with %d steps", len(self.script.steps))
        self._deadline = time.monotonic() + self.script.timeout
        Window.bind(on_flip=self._on_flip)
        Clock.schedule_interval(self._tick, 0)

    # -- the loop: one small advance of the current step per frame --------------------------

    def _on_flip(self, *_args: object) -> None:
        if self._flips == 0:
            # Wall clock, so a benchmark outside can measure cold start from its spawn time.
            self.first_frame_at = time.time()
        self._flips += 1

    def _tick(self, _dt: float) -> bool:
        if self._done:
            return False
        try:
            if time.monotonic() > self._deadline:
                raise StepFailed(f"script timed out after {self.script.timeout:g} s")
            if self._current is None:
                self._index += 1
                if self._index >= len(self.script.steps):
                    self._finish()
                    return False
                self._step_started = time.monotonic()
                self._current = self._run(self.script.steps[self._index])
            next(self._current)
        except StopIteration:
            self._record(ok=True, detail=self._detail)
            self._current = None
        except StepFailed as exc:
            self._fail(str(exc))
            return False
        except Exception:
            self._fail("driver error: " + traceback.format_exc())
            return False
        return True

    def _fail(self, message: str) -> None:
        self.error = message
        if 0 <= self._index < len(self.script.steps):
            self._record(ok=False, detail=message)
        self._finish()

    def _record(self, ok: bool, detail: str) -> None:
        self.results.append(
            {
                "step": self.script.steps[self._index],
                "ok": ok,
                "detail": detail,
                "seconds": round(time.monotonic() - self._step_started, 3),
                "finished_at": time.time(),
                **({"ms": self._ms} if self._ms is not None else {}),
                **(self._layout or {}),
                **self._snapshot(),
            }
        )

    def _finish(self) -> None:
        self._done = True
        Window.unbind(on_flip=self._on_flip)
        report = {
            "ok": self.error is None,
            "error": self.error,
            "first_frame_at": self.first_frame_at,
            **self._state(),
            "steps": self.results,
        }
        self.script.report.parent.mkdir(parents=True, exist_ok=True)
        self.script.report.write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        Logger.info("Kiosk: script report written to %s", self.script.report)
        self.app.exit_code = 0 if self.error is None else 1
        self.app.stop()

    # -- steps ------------------------------------------------------------------------------

    def _run(self, step: Step) -> Iterator[None]:
        self._detail = ""
        self._ms = None
        self._layout = None
        timeout = float(step.get("timeout", DEFAULT_STEP_TIMEOUT))
        yield from self._frames(1)
        kind = next(k for k in _KINDS if k in step)  # Script.load checked there is one
        yield from getattr(self, f"_step_{kind}")(step, timeout)

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
                  and self._visible_rect(w) is not None
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
        self._layout = self._layout_now()
        self._detail = f"{len(self._layout['keys'])} keypad keys measured"

    def _step_wait_no_text(self, step: Step, timeout: float) -> Iterator[None]:
        gone = str(step["wait_no_text"])
        yield from self._until(lambda: gone not in self._texts(), timeout,
                               f"no visible label {gone!r}")

    def _step_wait_text(self, step: Step, timeout: float) -> Iterator[None]:
        wanted = str(step["wait_text"])
        yield from self._until(lambda: wanted in self._texts(), timeout,
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
        labels = [w for w in self._labels() if w.text == text]
        # A label on (or inside) a button first: the same words may also be a title.
        label = next((w for w in labels if _in_button(w)), None) or next(iter(labels), None)
        if label is None:
            raise StepFailed(f"no visible label {text!r}; visible: {self._texts()}")
        return label

    def _touch(self, widget: Widget) -> Iterator[None]:
        rect = self._visible_rect(widget)
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
                and self._visible_rect(w) is not None] if root else []
        keys = [k for pad in pads for k in pad.ids.grid.children if k.text == key]
        if not keys:
            raise StepFailed(f"no key {key!r} on a visible keypad")
        yield from self._touch(keys[0])
        yield from self._frames(1)

    def _measure_tap(self, text: str, screen: str, timeout: float) -> Iterator[None]:
        """From the finger lifting to the first frame shown with `screen` current."""
        yield from self._settle(timeout)
        label = self._find(text)
        rect = self._visible_rect(label)
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

    # -- what is on the screen --------------------------------------------------------------

    def _screen(self) -> Widget | None:
        """The whole window's widgets: the frame (header, banners, hotline) and the current
        screen (a screen manager holds only the current screen as its child)."""
        return self.app.root

    def _labels(self) -> list[Label]:
        screen = self._screen()
        if screen is None:
            return []
        return [
            w
            for w in screen.walk(restrict=True)
            if isinstance(w, Label) and w.text and self._visible_rect(w) is not None
        ]

    def _texts(self) -> list[str]:
        return [w.text for w in self._labels()]

    def _snapshot(self) -> dict[str, Any]:
        return {
            "screen": self.app.screens.current if self.app.screens else None,
            "lang": self.app.lang,
            "texts": self._texts(),
        }

    def _keys(self, widgets: list[Widget]) -> list[dict[str, Any]]:
        """Every key of a visible keypad, its OK key included."""
        keys = [k for pad in widgets if isinstance(pad, Keypad)
                and self._visible_rect(pad) is not None
                for k in pad.walk(restrict=True) if isinstance(k, ButtonBehavior)]
        return [{"text": k.text, "size": [round(k.width), round(k.height)],
                 "text_size": [round(v) for v in k.texture_size],
                 "visible": self._visible_rect(k) == _rect(k)} for k in keys]

    def _layout_now(self) -> dict[str, Any]:
        state = self._state()
        return {"keys": state["keys"], "tappables": state["tappables"],
                "overflow": state["overflow"]}

    def _state(self) -> dict[str, Any]:
        screen = self._screen()
        widgets = list(screen.walk(restrict=True)) if screen is not None else []
        return {
            **self._snapshot(),
            "font": self.app.font_path,
            "window": list(Window.size),
            "keys": self._keys(widgets),
            "items": [
                {
                    "id": w.item_id,
                    "name": w.name,
                    "price": w.price,
                    "visible": self._visible_rect(w) == _rect(w),
                }
                for w in widgets
                if isinstance(w, ItemRowView)
            ],
            "tappables": [
                {
                    "kind": type(w).__name__,
                    "text": getattr(w, "text", "") or getattr(w, "title", ""),
                    "size": [round(w.width), round(w.height)],
                    "visible": self._visible_rect(w) is not None,
                }
                for w in widgets
                if isinstance(w, ButtonBehavior)
            ],
            "overflow": [
                {
                    "text": w.text,
                    "box": [round(w.width), round(w.height)],
                    "text_size": [round(v) for v in w.texture_size],
                }
                for w in widgets
                if isinstance(w, Label) and w.text and _overflows(w)
            ],
        }

    def _visible_rect(self, widget: Widget) -> Rect | None:
        """The part of `widget` on screen: inside the window and every clipping ancestor,
        with no transparent ancestor; None when nothing of it shows."""
        visible: Rect | None = (0.0, 0.0, float(Window.width), float(Window.height))
        node: Widget | None = widget
        while node is not None and visible is not None:
            if node.opacity <= 0:
                return None
            if node is widget or isinstance(node, StencilView):
                visible = _intersect(visible, _rect(node))
            node = node.parent if isinstance(node.parent, Widget) else None
        return visible


def _in_button(widget: Widget) -> bool:
    node: Widget | None = widget
    while node is not None:
        if isinstance(node, ButtonBehavior):
            return True
        node = node.parent if isinstance(node.parent, Widget) else None
    return False


def _rect(widget: Widget) -> Rect:
    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = widget.to_window(widget.right, widget.top)
    return (x0, y0, x1, y1)


def _intersect(a: Rect, b: Rect) -> Rect | None:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x1 - x0 >= 1 and y1 - y0 >= 1 else None


def _overflows(label: Label) -> bool:
    """Whether the rendered text is larger than the label's box (it would spill or be cut)."""
    text_w, text_h = label.texture_size
    return text_w > label.width + 1 or text_h > label.height + 1
