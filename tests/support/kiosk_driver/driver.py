"""The script driver: runs a script's steps in the real kiosk window, one small advance per
frame, and writes the report (see the package's docstring, tests/support/kiosk_driver/__init__.py,
for the steps and the report). The steps themselves are steps.py; what the report reads off the
window, screen.py; the script file, script.py.
Imports Kivy: import this module only after `kiosk.boot.configure_kivy`.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.logger import Logger

from .screen import snapshot, state
from .script import DEFAULT_STEP_TIMEOUT, KINDS, Script, ScriptError, Step
from .steps import StepFailed, Steps

if TYPE_CHECKING:
    from kiosk.app import KioskApp

__all__ = ["Script", "ScriptDriver", "ScriptError"]


class ScriptDriver(Steps):
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
                **snapshot(self.app),
            }
        )

    def _finish(self) -> None:
        self._done = True
        Window.unbind(on_flip=self._on_flip)
        report = {
            "ok": self.error is None,
            "error": self.error,
            "first_frame_at": self.first_frame_at,
            **state(self.app),
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
        kind = next(k for k in KINDS if k in step)  # Script.load checked there is one
        yield from getattr(self, f"_step_{kind}")(step, timeout)
