"""The README's kiosk command, as a newcomer types it: the whole portrait window on the virtual
screen, and no traceback on the console (issue 19: xvfb-run's own 1280x1024 screen cropped
the window; Kivy printed tracebacks for clipboard and touch providers the kiosk does not use).

The command is read from the README's kiosk section and run as written (the venv's python
swapped for this one, and `-m kiosk` for the test entry point that starts the same kiosk with
the script driver attached, `-m tests.support.kiosk_driver --script ...`); the script waits
for the attract screen and takes a screenshot, and while the window is up the test asks the
X server (xwininfo) for the screen's size and where the window lies.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.kiosk_gui import ROOT, keep_artifacts, png_size


def readme_kiosk_command() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### The kiosk"):]
    section = section[: section.index("\n## ")]
    found = re.search(r"`(xvfb-run [^`]*-m kiosk)`", section.replace("\n", " "))
    assert found, "the README's kiosk section has no xvfb-run command"
    return shlex.split(found.group(1))


def x_geometry(where: dict[str, str], *args: str) -> str:
    env = {**os.environ, **{k: v for k, v in where.items() if v}}
    return subprocess.run(["xwininfo", "-display", where["DISPLAY"], *args], env=env,
                          capture_output=True, text=True, timeout=30, check=True).stdout


@pytest.mark.gui
@pytest.mark.timeout(300)
def test_the_readme_command_shows_the_whole_portrait_window_without_tracebacks(
        tmp_path: Path) -> None:
    if shutil.which("xvfb-run") is None or shutil.which("xwininfo") is None:
        pytest.skip("needs xvfb-run and xwininfo (Debian: xvfb, x11-utils)")
    command = [sys.executable if arg == ".venv/bin/python" else arg
               for arg in readme_kiosk_command()]
    assert command[:2] == ["xvfb-run", "-a"] and command[-2:] == ["-m", "kiosk"], command
    workdir = tmp_path / "readme-start"
    workdir.mkdir()
    script = workdir / "script.json"
    script.write_text(json.dumps({"report": "report.json", "timeout": 200, "steps": [
        {"wait_text": "请触摸屏幕开始", "timeout": 60},
        {"screenshot": "readme-start.png"},
        {"mark": "shown"}, {"wait_file": "shown.done", "timeout": 60},
    ]}, ensure_ascii=False), encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BUTLER_SITE")}
    env.update(KIVY_HOME=str(workdir / "kivy-home"), LIBGL_ALWAYS_SOFTWARE="1")
    command[-2:] = ["-m", "tests.support.kiosk_driver", "--script", str(script)]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 200
        while not (workdir / "shown").exists():
            assert proc.poll() is None, f"the kiosk ended early: {proc.communicate()[1][-3000:]}"
            assert time.monotonic() < deadline, "the attract screen did not show"
            time.sleep(0.1)
        where = json.loads((workdir / "shown").read_text(encoding="utf-8"))
        root = x_geometry(where, "-root")
        tree = x_geometry(where, "-root", "-tree")
        (workdir / "shown.done").write_text("", encoding="utf-8")
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        keep_artifacts(workdir)
    report = json.loads((workdir / "report.json").read_text(encoding="utf-8"))

    assert proc.returncode == 0 and report["ok"], (report.get("error"), err[-3000:])
    assert "Traceback" not in err, err
    assert not re.search(r"ERROR|CRITICAL", err), err
    # the screen holds the whole portrait window, where the window is
    screen = tuple(int(re.search(rf"{side}: (\d+)", root).group(1))  # type: ignore[union-attr]
                   for side in ("Width", "Height"))
    assert screen[0] >= 1080 and screen[1] >= 1920, root
    window = re.search(r'"江畔花园 Riverside[^"]*": \(.*?\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)', tree)
    assert window, tree
    w, h, x, y = (int(v) for v in window.groups())
    assert (w, h) == (1080, 1920) and x >= 0 and y >= 0
    assert x + w <= screen[0] and y + h <= screen[1], (screen, (w, h, x, y))
    assert report["window"] == [1080, 1920]
    assert png_size(workdir / "readme-start.png") == (1080, 1920)
