"""A driver script, read from its JSON file (the steps and the report: see the package's
docstring, tests/support/kiosk_driver/__init__.py). Nothing here imports Kivy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_STEP_TIMEOUT", "KINDS", "Script", "ScriptError", "Step"]

DEFAULT_STEP_TIMEOUT = 10.0
Step = dict[str, Any]
KINDS = ("screenshot", "tap_text", "wait_screen", "wait_text", "wait", "tap_keys", "mark",
         "wait_file", "measure_tap", "wait_no_text", "set_idle", "layout",
         "tap_keys_from_file", "type_text")


class ScriptError(Exception):
    """The script file itself is unusable."""


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
            kinds = [k for k in KINDS if isinstance(step, dict) and k in step]
            if len(kinds) != 1:
                raise ScriptError(f"{path}: steps[{i}]: needs exactly one of {', '.join(KINDS)}")
        base = path.resolve().parent
        report = Path(spec.get("report") or path.with_suffix(".report.json").name)
        return cls(
            steps=tuple(spec["steps"]),
            report=report if report.is_absolute() else base / report,
            base=base,
            timeout=float(spec.get("timeout", 120)),
        )
