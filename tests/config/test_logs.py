"""Every service's log: a time and a level on each line, plain or JSON (BUTLER_LOG_FORMAT)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import httpx
import pytest

from config.logs import JsonFormatter
from tests.support.stack import Stack


def test_json_logs_are_one_object_per_line() -> None:
    rec = logging.LogRecord("gateway", logging.WARNING, __file__, 1, "%s offline", ("gas-1",),
                            None)
    entry = json.loads(JsonFormatter().format(rec))
    assert (entry["level"], entry["logger"], entry["msg"]) == ("warning", "gateway",
                                                               "gas-1 offline")


def _lines(path: Path) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()
            if ln.strip()]


TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "
                       r"(DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+ ")


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_every_service_logs_time_and_level(tmp_path: Path, fmt: str) -> None:
    """The estate as processes (broker, control room with uvicorn, gateway, simulator, the
    kiosk's heartbeat process) with BUTLER_LOG_FORMAT set: every line of every log is JSON with
    a time and a level, or a text line starting with both; uvicorn's access lines included.
    The kiosk here is its headless heartbeat process (kiosk/heartbeat.py); the Kivy window
    logs through the same set-up (kiosk/__main__.py, Kivy in its Python log mode)."""
    stack = Stack(tmp_path)
    stack.group.env["BUTLER_LOG_FORMAT"] = fmt
    try:
        stack.start_all()
        stack.wait_sim_online()
        httpx.get(f"{stack.api_url}/api/health", timeout=5)  # an access-log line
        kiosk = stack.group.start("kiosk", ["-m", "kiosk.heartbeat", "--kiosk", "kiosk-1"])
        stack.group.wait_for("the kiosk's first heartbeat", lambda: "/api/kiosk/heartbeat" in (
            tmp_path / "log" / "controlroom.log").read_text(errors="replace"), 30, kiosk)
    finally:
        stack.group.stop_all()
    logs = {p.stem: _lines(p) for p in sorted((tmp_path / "log").glob("*.log"))}
    assert set(logs) >= {"broker", "controlroom", "gateway", "firmware_sim", "kiosk"}, logs.keys()
    for name, lines in logs.items():
        assert lines, f"{name} logged nothing"
        for line in lines:
            if fmt == "json":
                entry = json.loads(line)  # raises on a line that is not JSON
                assert entry["ts"] and entry["level"] in LEVELS, (name, line)
            else:
                assert TEXT_LINE.match(line), (name, line)
    access = [ln for ln in logs["controlroom"] if "/api/health" in ln]
    assert access, "uvicorn's access lines are missing"
    assert any("uvicorn" in ln for ln in logs["controlroom"])


LEVELS = {"debug", "info", "warning", "error", "critical"}
