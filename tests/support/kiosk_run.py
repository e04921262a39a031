"""Running the real kiosk window with a script (tests/support/kiosk_driver) from a test or a
tool, and acting from outside when the script asks (a card swipe on the pty, stopping the control
room): the script writes a mark file, the runner does what that mark names and answers with
`<mark>.done`, which the script can wait for (`{"wait_file": "<mark>.done"}`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from config import DEFAULT_SITE_PATH
from launcher.processes import ROOT

__all__ = ["KioskRun", "run_kiosk"]


class KioskRun:
    def __init__(self, report: dict[str, Any] | None, returncode: int, stderr: str) -> None:
        self.report = report
        self.returncode = returncode
        self.stderr = stderr

    def check(self) -> dict[str, Any]:
        """The report of a run that passed every step, or an AssertionError saying why not."""
        assert self.report is not None, (
            f"no report (exit {self.returncode}):\n{self.stderr[-4000:]}")
        assert self.report["ok"], (
            f"script failed: {self.report['error']}\n{self.stderr[-3000:]}")
        assert self.returncode == 0, self.stderr[-4000:]
        return self.report


def run_kiosk(
    display: str,
    workdir: Path,
    steps: list[dict[str, Any]],
    *args: str,
    env: Mapping[str, str] | None = None,
    on_mark: Mapping[str, Callable[[], None]] | None = None,
    timeout: float = 150,
) -> KioskRun:
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "script.json"
    report_path = workdir / "report.json"
    report_path.unlink(missing_ok=True)
    script.write_text(json.dumps({"steps": steps, "report": report_path.name,
                                  "timeout": timeout - 10}, ensure_ascii=False),
                      encoding="utf-8")
    full_env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "BUTLER_SITE")}
    full_env.update(
        DISPLAY=display,
        # Kivy's own config and logs for this run only, not ~/.kivy.
        KIVY_HOME=str(workdir / "kivy-home"),
        # Xvfb has no GPU: Mesa's llvmpipe renders, whatever libGL vendor is installed.
        LIBGL_ALWAYS_SOFTWARE="1",
        **(env or {}),
    )
    stderr_path = workdir / "kiosk.stderr"
    with stderr_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.kiosk_driver", "--verbose",
             "--config", str(DEFAULT_SITE_PATH), "--script", str(script), *args],
            cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=err)
        pending = dict(on_mark or {})
        deadline = time.monotonic() + timeout
        try:
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    proc.kill()
                    break
                for mark, action in list(pending.items()):
                    if (workdir / mark).exists():
                        del pending[mark]
                        action()
                        (workdir / f"{mark}.done").write_text("", encoding="utf-8")
                time.sleep(0.05)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else None
    return KioskRun(report, proc.returncode, stderr_path.read_text(errors="replace"))
