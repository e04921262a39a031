"""Issue 18, acceptance 2 for the kiosk window itself: with BUTLER_LOG_FORMAT=json every line
the real Kivy kiosk writes (Kivy's own records included: it runs in Kivy's Python log mode)
is one JSON object with a time and a level; with text, each line starts with both."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.kiosk_run import run_kiosk

pytestmark = pytest.mark.gui
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "
                       r"(DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+ ")


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_the_kiosk_window_logs_in_the_chosen_format(display: str, tmp_path: Path,
                                                    fmt: str) -> None:
    # No control room: the kiosk also logs that it cannot reach it.
    run = run_kiosk(display, tmp_path / "run", [{"wait_screen": "attract"}],
                    env={"BUTLER_LOG_FORMAT": fmt, "BUTLER_API_URL": "http://127.0.0.1:9"},
                    timeout=120)
    run.check()
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert any("kivy" in ln for ln in lines), run.stderr[-2000:]  # Kivy's records are there
    for line in lines:
        if fmt == "json":
            entry = json.loads(line)
            assert entry["ts"] and entry["level"], line
        else:
            assert TEXT_LINE.match(line), line
