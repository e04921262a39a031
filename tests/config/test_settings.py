"""Every BUTLER_* variable is read in one typed place (config/settings.py) and listed in the
README's settings table; a bad value stops a program with one line naming it."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import (
    DEMO_DATA,
    GATEWAY_METRICS_PORT,
    LOG_FORMAT,
    TRUSTED_PROXIES,
    VARIABLES,
    SettingError,
)

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("controlroom", "gateway", "kiosk", "launcher", "config", "firmware_sim")
NAME = re.compile(r"BUTLER_[A-Z0-9_]*[A-Z0-9]")


def _product_files() -> list[Path]:
    return [p for d in PRODUCT for p in sorted((ROOT / d).rglob("*.py"))]


def _readme_table() -> dict[str, str]:
    """Each variable of the README's settings table: its whole row."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Settings: every `BUTLER_*` variable", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("| `BUTLER_"):
            first = line.split(" | ")[0]
            rows.update((name, line) for name in NAME.findall(first))
    return rows


def test_every_butler_variable_in_product_code_is_in_the_readme_table() -> None:
    used = {name for p in _product_files() for name in NAME.findall(p.read_text("utf-8"))}
    assert used, "no BUTLER_ names found: the grep is broken"
    missing = sorted(used - set(_readme_table()))
    assert not missing, f"not in the README's settings table: {missing}"


def test_every_declared_variable_is_in_the_table_with_its_reader() -> None:
    table = _readme_table()
    for var in VARIABLES:
        assert var.name in table, var.name
        for reader in var.read_by.replace("`", "").split(", "):
            assert reader.split(" ")[0] in table[var.name], (var.name, reader)


def test_no_product_module_but_settings_names_a_variable_to_read_it() -> None:
    """A variable's name as a whole string (an `env.get("BUTLER_X")`) only in config/settings.py:
    everywhere else a read goes through its `Variable`."""
    found = []
    for p in _product_files():
        if p == ROOT / "config" / "settings.py":
            continue
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and NAME.fullmatch(node.value):
                found.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.value}")
    assert not found, found


@pytest.mark.parametrize(("var", "raw", "want"), [
    (GATEWAY_METRICS_PORT, "x", "a port number (0-65535)"),
    (GATEWAY_METRICS_PORT, "70000", "a port number (0-65535)"),
    (LOG_FORMAT, "xml", "one of text, json"),
    (DEMO_DATA, "yes", "one of 0, 1"),
])
def test_a_bad_value_is_one_line_naming_the_variable(var, raw, want) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingError) as exc:
        var.read({var.name: raw})
    assert str(exc.value) == f"error: {var.name}={raw!r} is not {want}"


def test_values_defaults_and_empty_as_unset() -> None:
    assert GATEWAY_METRICS_PORT.read({"BUTLER_GATEWAY_METRICS_PORT": " 9701 "}) == 9701
    assert GATEWAY_METRICS_PORT.read({"BUTLER_GATEWAY_METRICS_PORT": ""}) is None
    assert DEMO_DATA.read({}) is True and DEMO_DATA.read({"BUTLER_DEMO_DATA": "0"}) is False
    assert LOG_FORMAT.read({"BUTLER_LOG_FORMAT": "  "}) == "text"
    assert TRUSTED_PROXIES.read({"BUTLER_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2,"}) == (
        "10.0.0.1", "10.0.0.2")


def _run(module: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=120, env={**os.environ, **env})


@pytest.mark.parametrize(("module", "var", "raw"), [
    ("gateway", "BUTLER_LOG_FORMAT", "xml"),
    ("gateway", "BUTLER_GATEWAY_METRICS_PORT", "eighty"),
    ("controlroom", "BUTLER_DEMO_DATA", "yes"),
    ("controlroom", "BUTLER_PASSWORD_HASH_COST", "cheap"),
])
def test_a_program_given_a_bad_value_says_so_in_one_line(module: str, var: str,
                                                          raw: str) -> None:
    r = _run(module, {var: raw})
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and var in lines[0] and repr(raw) in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_settings_are_not_read_at_import() -> None:
    """Bad values everywhere, and importing every program's modules still works."""
    bad = {v.name: "bad value" for v in VARIABLES}
    code = ("import controlroom.app, controlroom.__main__, gateway.__main__, "
            "launcher.__main__, launcher.ports, firmware_sim.access, config.credentials")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, text=True, capture_output=True,
                       timeout=120, env={**os.environ, **bad})
    assert r.returncode == 0, r.stderr
