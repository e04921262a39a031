"""Acceptance: a broken site file stops each program with a one-line message naming the file
and the key, exit status 2, and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from launcher.processes import ROOT
from tests.support.sites import BROKEN, demo_text, write_site

PROGRAMS = {
    "controlroom": ["-m", "controlroom"],
    "gateway": ["-m", "gateway"],
    "firmware_sim": ["-m", "firmware_sim", "{config}", "run"],
    "kiosk": ["-m", "kiosk"],
    "launcher": ["-m", "launcher"],
}


def _argv(program: str, path: Path) -> list[str]:
    args = PROGRAMS[program]
    if "{config}" in args:
        i = args.index("{config}")
        return [*args[:i], "--config", str(path), *args[i + 1:]]
    return [*args, "--config", str(path)]


@pytest.mark.parametrize("program", list(PROGRAMS))
@pytest.mark.parametrize(("name", "edit", "key"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_site_file_stops_the_program_with_one_line(
        tmp_path: Path, program: str, name: str, edit, key: str) -> None:
    path = write_site(tmp_path, edit(demo_text()))
    r = subprocess.run([sys.executable, *_argv(program, path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith(f"{path}: {key}: "), r.stderr
    assert "Traceback" not in r.stderr + r.stdout


@pytest.mark.parametrize("program", list(PROGRAMS))
def test_every_program_explains_itself_with_help(program: str) -> None:
    module = PROGRAMS[program][1]
    r = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "--config" in r.stdout
