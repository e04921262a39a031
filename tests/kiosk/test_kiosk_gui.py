"""The real kiosk window under Xvfb, driven by posted touches (kiosk/testdriver.py).

Each test runs `python -m kiosk --script ...` in a subprocess on a private Xvfb display and
judges the JSON report the app writes. Screenshots are kept in the test's tmp folder and
copied to var/test-artifacts/kiosk/ for people to look at.

The tests at the bottom need no display: a broken site file and a missing display must be
refused with one clear line before Kivy is even imported.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTCollection, TTFont

from config import DEFAULT_SITE_PATH, Site, load_site
from kiosk.catalogue import Catalogue, text

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "kiosk"
RUN_TIMEOUT = 120
TOUCH_MIN_PX = 120  # ~15 mm on a 1080-px-wide 21.5" portrait screen


# -- a private X server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb)")
    # -displayfd: Xvfb picks a free display number itself and writes it once it accepts
    # connections, so parallel runs cannot collide on a number.
    log = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    read_end, write_end = os.pipe()
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [
                xvfb,
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1920x1920x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    os.close(write_end)
    try:
        number = _read_display_number(read_end, proc, log, timeout=30)
        socket = Path(f"/tmp/.X11-unix/X{number}")
        _poll(socket.exists, timeout=10, what=f"the X socket {socket}")
        yield f":{number}"
    finally:
        os.close(read_end)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _read_display_number(fd: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> int:
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or proc.poll() is not None:
            why = "it exited" if proc.poll() is not None else "timed out"
            pytest.fail(f"Xvfb did not start ({why}): {log.read_text(errors='replace')[-2000:]}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 64)
            if not chunk:
                continue
            data += chunk
    return int(data.strip())


def _poll(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


# -- running the kiosk -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site(DEFAULT_SITE_PATH)


def run_kiosk(
    display: str, workdir: Path, steps: list[dict[str, Any]], *args: str
) -> dict[str, Any]:
    script = workdir / "script.json"
    report_path = workdir / "report.json"
    script.write_text(
        json.dumps({"steps": steps, "report": report_path.name, "timeout": 90}, ensure_ascii=False),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "BUTLER_SITE")}
    env.update(
        DISPLAY=display,
        # Kivy's own config and logs for this run only, not ~/.kivy.
        KIVY_HOME=str(workdir / "kivy-home"),
        # Xvfb has no GPU: Mesa's llvmpipe renders, whatever libGL vendor is installed.
        LIBGL_ALWAYS_SOFTWARE="1",
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--verbose",
            "--config",
            str(DEFAULT_SITE_PATH),
            "--script",
            str(script),
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    _keep_artifacts(workdir)
    assert report_path.exists(), f"no report (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["ok"], f"script failed: {report['error']}\n{proc.stderr[-4000:]}"
    assert proc.returncode == 0, proc.stderr[-4000:]
    return report


def _keep_artifacts(workdir: Path) -> None:
    target = ARTIFACTS / workdir.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in [*workdir.glob("*.png"), *workdir.glob("*.json")]:
        shutil.copy2(path, target / path.name)


def step_after(report: dict[str, Any], kind: str, value: str) -> dict[str, Any]:
    return next(s for s in report["steps"] if s["step"].get(kind) == value)


# -- checks on a report ------------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def font_cmap(path: str) -> set[int]:
    """Code points of the face Kivy's SDL2 text provider renders with: face 0 of a .ttc."""
    if path.lower().endswith((".ttc", ".otc")):
        return set(TTCollection(path, lazy=True).fonts[0].getBestCmap())
    return set(TTFont(path, lazy=True).getBestCmap())


def assert_renderable(report: dict[str, Any]) -> None:
    assert report["font"], "no CJK font was registered"
    cmap = font_cmap(report["font"])
    shown = {t for step in report["steps"] for t in step["texts"]} | set(report["texts"])
    chinese = [t for t in shown if re.search(r"[\u4e00-\u9fff]", t)]
    assert chinese, "no Chinese text was displayed"
    missing = {ch for t in shown for ch in t if not ch.isspace() and ord(ch) not in cmap}
    assert not missing, f"characters the font cannot draw (shown as boxes): {sorted(missing)}"


def assert_well_laid_out(report: dict[str, Any]) -> None:
    assert report["overflow"] == [], f"text larger than its box: {report['overflow']}"
    for tappable in report["tappables"]:
        w, h = tappable["size"]
        assert h >= TOUCH_MIN_PX and w >= TOUCH_MIN_PX, f"touch target too small: {tappable}"


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.gui
def test_touching_a_menu_opens_its_items_and_back_returns_home(
    display: str, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp("portrait-zh", numbered=False)
    catalogue = Catalogue(site, "kiosk-1")
    menu = next(m for m in site.menus if m.id == "value-added")
    back = text("back", "zh")

    report = run_kiosk(
        display,
        workdir,
        [
            {"screenshot": "home.png"},
            {"tap_text": menu.name_zh},
            {"wait_screen": "menu"},
            {"screenshot": "menu.png"},
        ],
    )

    home = step_after(report, "screenshot", "home.png")
    assert home["screen"] == "home"
    assert home["lang"] == "zh"
    tiles = [m.name_zh for m in site.menus]
    assert tiles == ["公共常规服务", "无偿囊助服务", "增值管家服务"]
    shown = home["texts"]
    assert all(name in shown for name in tiles), shown
    assert site.name_zh in shown and site.hotline in " ".join(shown)

    assert report["screen"] == "menu"
    assert [i["name"] for i in report["items"]] == [it.name_zh for it in menu.items]
    assert [i["price"] for i in report["items"]] == [
        r.price for r in catalogue.menu(menu.id, "zh").rows
    ]
    assert all(i["visible"] for i in report["items"]), "portrait shows the whole menu"
    assert back in report["texts"]
    assert report["window"] == [1080, 1920]
    for name in ("home.png", "menu.png"):
        assert png_size(workdir / name) == (1080, 1920)

    assert_renderable(report)
    assert_well_laid_out(report)


@pytest.mark.gui
def test_language_toggle_and_back_button_by_touch_in_landscape(
    display: str, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp("landscape-en", numbered=False)
    menu = next(m for m in site.menus if m.id == "public")

    report = run_kiosk(
        display,
        workdir,
        [
            {"tap_text": "English"},
            {"wait_text": menu.name_en},
            {"screenshot": "home-en.png"},
            {"tap_text": menu.name_en},
            {"wait_screen": "menu"},
            {"screenshot": "menu-en.png"},
            {"tap_text": text("back", "en")},
            {"wait_screen": "home"},
            {"tap_text": "中文"},
            {"wait_text": menu.name_zh},
            {"screenshot": "home-zh.png"},
        ],
        "--size",
        "1920x1080",
    )

    home_en = step_after(report, "screenshot", "home-en.png")
    assert home_en["lang"] == "en"
    assert [m.name_en for m in site.menus] == [
        t for t in home_en["texts"] if t in {m.name_en for m in site.menus}
    ]
    menu_en = step_after(report, "screenshot", "menu-en.png")
    assert menu_en["screen"] == "menu"
    assert menu.items[0].name_en in menu_en["texts"]
    assert "Free" in menu_en["texts"]

    assert report["screen"] == "home"
    assert report["lang"] == "zh"
    assert report["window"] == [1920, 1080]
    assert png_size(workdir / "menu-en.png") == (1920, 1080)
    assert_renderable(report)
    assert_well_laid_out(report)


# -- refusals before any window ----------------------------------------------------------------


def _kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_broken_site_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    good = DEFAULT_SITE_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(re.sub(r"(?m)^floors = \d+", 'floors = "x"', good, count=1), encoding="utf-8")

    proc = _kiosk("--config", str(bad))

    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(bad) in lines[0]
    assert "buildings[0].floors" in lines[0]
    assert "Traceback" not in proc.stderr


def test_without_a_display_it_says_how_to_start_and_exits_1() -> None:
    proc = _kiosk()

    assert proc.returncode == 1
    assert "xvfb-run -a python -m kiosk" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_needs_no_display() -> None:
    proc = _kiosk("--help")

    assert proc.returncode == 0
    for option in ("--config", "--kiosk", "--lang", "--size", "--fullscreen", "--script"):
        assert option in proc.stdout


def test_an_unknown_kiosk_is_refused(tmp_path: Path) -> None:
    proc = _kiosk("--kiosk", "kiosk-9")

    assert proc.returncode == 2
    assert "kiosk-9" in proc.stderr and "kiosk-1" in proc.stderr
