"""What the kiosk's GUI tests share: where screenshots are kept, the touch-target minimum,
the report of one scripted step, and a PNG's size."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "kiosk"
TOUCH_MIN_PX = 120  # 30 mm at the assumed 4 px/mm (kiosk/theme.py), at least 15 mm


def keep_artifacts(workdir: Path) -> None:
    target = ARTIFACTS / workdir.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in [*workdir.glob("*.png"), *workdir.glob("*.json")]:
        shutil.copy2(path, target / path.name)


def after(report: dict[str, Any], kind: str, value: str, nth: int = 0) -> dict[str, Any]:
    """The report of the nth step `{kind: value}`: the screen and texts right after it."""
    return [s for s in report["steps"] if s["step"].get(kind) == value][nth]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height
