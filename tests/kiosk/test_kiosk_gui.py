"""The real kiosk window under Xvfb, driven by posted touches (tests/support/kiosk_driver).

Two Kivy processes walk every flow (a window start costs seconds on a small machine):

1. portrait, Chinese, against a real control room process (the desk checks in a parcel and
   a butler moves the repair along through the staff API), with the card reader and barcode
   scanner simulated on ptys: order a service (logging in by flat + PIN on the keypad),
   report a repair, log out, log in by a card swipe through the pty, my requests and a
   request's timeline, my fees and items, pick up a parcel by code, the wrong-code lockout
   (one code typed, nine slips through the scanner's pty) with its countdown, and the idle
   timeout ending the session (DELETE) back to attract;
2. landscape, English, against a real control room process, which the test stops and starts
   again: the offline banner within 5 s, an order refused with the hotline, and recovery.

Screenshots are kept in the test's tmp folder and copied to var/test-artifacts/kiosk/. The
tests at the bottom need no display: refusals before Kivy is even imported.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTCollection, TTFont

from config import DEFAULT_SITE_PATH, Site
from firmware_sim.kiosk_readers import ReaderPty
from kiosk.catalogue import Catalogue
from tests.support.kiosk_gui import ROOT, TOUCH_MIN_PX, after, keep_artifacts, png_size
from tests.support.kiosk_run import run_kiosk
from tests.support.kiosk_seed import DeskAndButler
from tests.support.stack import Stack

OFFLINE_ZH = "暂时无法连接服务中心。下单、报修、取件暂停，请致电 400-820-8820"
OFFLINE_EN = ("The service centre cannot be reached. Orders, reports and pickups are paused: "
              "please call 400-820-8820")


# -- checks on a report ------------------------------------------------------------------------


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
        if tappable["visible"]:
            assert h >= TOUCH_MIN_PX and w >= TOUCH_MIN_PX, f"touch target too small: {tappable}"


def no_name_shown(texts: list[str], site: Site) -> bool:
    names = {p.name for p in site.residents} | {w for p in site.residents for w in p.name.split()}
    return not any(name in t for t in texts for name in names if len(name) > 1)


# -- 1. every resident flow, portrait, Chinese ------------------------------------------------


@pytest.mark.gui
@pytest.mark.timeout(1200)  # one window walks every flow: minutes on a loaded 2-CPU machine
def test_every_resident_flow_by_touch_keypad_and_card_swipe(
    display: str, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp("flows-portrait-zh", numbered=False)
    stack = Stack(workdir / "stack")
    (workdir / "stack").mkdir()
    card, scanner = ReaderPty(), ReaderPty()
    menu = next(m for m in site.menus if m.id == "value-added")
    stack.start_controlroom()
    staff = DeskAndButler(stack.api_url)
    code = staff.check_in_parcel("1-2-1502", "A-03")
    wrong = "000001" if code != "000001" else "000002"

    def scan_wrong_slips() -> None:
        # Nine more wrong codes through the barcode scanner's pty, one every half second.
        for _ in range(9):
            scanner.scan(wrong)
            time.sleep(0.5)
    steps: list[dict[str, Any]] = [
        {"wait_text": "1号楼计划停水通知"},
        {"screenshot": "attract.png"},
        {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
        {"screenshot": "home.png"},
        # order a service item; the order asks for a login: flat and PIN on the keypad
        {"tap_text": menu.name_zh}, {"wait_screen": "menu"},
        {"screenshot": "menu.png"},
        {"tap_text": "水管维修"}, {"wait_screen": "item"},
        {"tap_text": "登录后下单"}, {"wait_screen": "login"},
        {"tap_keys": "1-2-1502"}, {"tap_text": "登录"}, {"tap_keys": "246810"},
        # a paid item: its price is confirmed before the order is placed
        {"tap_text": "登录"}, {"wait_screen": "confirm"},
        {"screenshot": "confirm.png"},
        {"tap_text": "确认下单"}, {"wait_screen": "message"},
        {"screenshot": "ordered.png"},
        # report a repair: category first, no text
        {"tap_text": "完成"}, {"wait_screen": "home"},
        {"tap_text": "报事 / 求助"}, {"wait_screen": "report"},
        {"tap_text": "水龙头、水管"}, {"tap_text": "提交"}, {"wait_screen": "message"},
        {"screenshot": "reported.png"},
        {"tap_text": "退出登录"}, {"wait_screen": "attract"},
        # the butler assigns the repair and work starts; then a card swipe through the pty
        # logs in from the attract screen
        {"mark": "staff"}, {"wait_file": "staff.done", "timeout": 30},
        {"mark": "swipe"}, {"wait_screen": "account", "timeout": 20},
        {"tap_text": "我的服务单"}, {"wait_screen": "requests"},
        {"tap_text": "水龙头、水管"}, {"wait_screen": "request"},
        {"screenshot": "request.png"},
        {"tap_text": "‹ 返回"}, {"wait_screen": "requests"},
        {"tap_text": "‹ 返回"}, {"wait_screen": "account"},
        {"tap_text": "我的费用"}, {"wait_screen": "fees"},
        {"screenshot": "fees.png"},
        {"tap_text": "‹ 返回"}, {"wait_screen": "account"},
        {"tap_text": "我的寄存物品"}, {"wait_screen": "items"},
        {"screenshot": "items.png"},
        # pick up a parcel by code: where it is, then confirm
        {"tap_text": "‹ 返回"}, {"wait_screen": "account"},
        {"tap_text": "首页"}, {"wait_screen": "home"},
        {"tap_text": "取件"}, {"wait_screen": "pickup"},
        {"tap_keys": code}, {"tap_text": "查找"}, {"wait_screen": "found"},
        {"screenshot": "found.png"},
        {"tap_text": "确认已取 1 件"}, {"wait_text": "取件完成"},
        # ten wrong codes (one typed, nine scanned) lock pickup here, with a countdown
        {"tap_text": "完成"}, {"wait_screen": "home"},
        {"tap_text": "取件"}, {"wait_screen": "pickup"},
        {"tap_keys": wrong}, {"tap_text": "查找"},
        {"wait_text": "取件码不正确，还可尝试 9 次"},
        {"mark": "scan"},
        {"wait_text": "取件码错误次数过多，本机取件暂停", "timeout": 60},
        {"screenshot": "locked.png"},
        {"wait": 1.5},
        {"screenshot": "locked-later.png"},
        # then no touch: the session ends and the attract screen returns (the flows above
        # ran with a long idle timeout, so a slow machine cannot end them early)
        {"set_idle": 3},
        {"wait_screen": "attract", "timeout": 60},
        {"screenshot": "idle.png"},
    ]
    try:
        run = run_kiosk(
            display, workdir, steps, "--idle", "600", "--card-reader", card.path,
            "--scanner", scanner.path,
            env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
            on_mark={"staff": lambda: staff.work_on_latest_repair("1-2-1502"),
                     "swipe": lambda: card.swipe("04a3150201"),
                     "scan": scan_wrong_slips}, timeout=1100)
    finally:
        log = (workdir / "stack" / "log" / "controlroom.log").read_text(errors="replace")
        stack.group.stop_all()
        card.close()
        scanner.close()
        keep_artifacts(workdir)
    report = run.check()

    attract = after(report, "screenshot", "attract.png")["texts"]
    assert no_name_shown(attract, site) and not any("**" in t for t in attract)
    home = after(report, "screenshot", "home.png")
    assert [m.name_zh for m in site.menus] == [t for t in home["texts"]
                                               if t in {m.name_zh for m in site.menus}]
    shown_menu = after(report, "screenshot", "menu.png")["texts"]
    for row in Catalogue(site, "kiosk-1").menu(menu.id, "zh").rows:
        assert row.name in shown_menu and row.price in shown_menu

    confirm = after(report, "screenshot", "confirm.png")["texts"]
    assert {"请确认订单", "水管维修", "¥80", "这是有偿服务：确认下单即表示同意支付 ¥80。",
            "确认下单", "取消"} <= set(confirm), confirm
    assert not any(re.fullmatch(r"SR-\d{8}-\d{4}", t) for t in confirm)  # nothing placed yet
    ordered = after(report, "screenshot", "ordered.png")["texts"]
    assert "已下单" in ordered and any(re.fullmatch(r"SR-\d{8}-\d{4}", t) for t in ordered)
    assert "您好，陈*" in ordered  # the name masked
    reported = after(report, "screenshot", "reported.png")["texts"]
    assert "已提交" in reported and any(t.startswith("承诺时间") for t in reported)

    account = after(report, "wait_screen", "account")["texts"]
    assert "您好，陈*" in account and any(t.startswith("账户余额") for t in account)
    request = after(report, "screenshot", "request.png")["texts"]
    assert {"已受理", "已派单", "处理中"} <= set(request), request
    assert any(t.startswith("下一步：") for t in request)
    fees = after(report, "screenshot", "fees.png")["texts"]
    assert any(t.endswith("账单") for t in fees), fees
    items = after(report, "screenshot", "items.png")["texts"]
    # logged in by card: the parcel may be collected here with the card (no code shown)
    assert "可在本机刷卡取件 · 1 件" in items and code not in " ".join(items)

    found = after(report, "screenshot", "found.png")["texts"]
    assert "A-03" in found and any("房号 1-2-15**" in t for t in found)
    assert '"POST /api/kiosk/pickup/confirm HTTP/1.1" 200' in log

    locked = after(report, "screenshot", "locked.png")["texts"]
    later = after(report, "screenshot", "locked-later.png")["texts"]
    countdown = [t for t in locked if t.endswith("后可再试")]
    assert countdown and re.fullmatch(r"[12]:\d\d 后可再试", countdown[0]), locked
    assert [t for t in later if t.endswith("后可再试")] != countdown, "the countdown runs"
    assert '"POST /api/kiosk/pickup/lookup HTTP/1.1" 429' in log

    idle = after(report, "screenshot", "idle.png")
    assert idle["screen"] == "attract"
    assert "您好，陈*" not in idle["texts"] and no_name_shown(idle["texts"], site)
    # log out after the report, then the idle timeout after the card login
    assert log.count('"DELETE /api/kiosk/session HTTP/1.1" 204') == 2

    assert report["window"] == [1080, 1920]
    assert png_size(workdir / "home.png") == (1080, 1920)
    assert_renderable(report)
    assert_well_laid_out(report)


# -- 2. the control room goes away and comes back, landscape, English ------------------------


@pytest.mark.gui
@pytest.mark.timeout(900)
def test_offline_banner_refusal_with_hotline_and_recovery_against_a_real_control_room(
    display: str, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp("offline-landscape-en", numbered=False)
    stack = Stack(workdir / "stack")
    (workdir / "stack").mkdir()
    menu = next(m for m in site.menus if m.id == "value-added")
    steps: list[dict[str, Any]] = [
        {"tap_text": "English"}, {"wait_text": "中文"},
        {"tap_text": "Touch the screen to start"}, {"wait_screen": "home"},
        {"tap_text": menu.name_en}, {"wait_screen": "menu"},
        {"screenshot": "menu-en.png"},
        {"tap_text": "‹ Back"}, {"wait_screen": "home"},
        {"mark": "stop"}, {"wait_file": "stop.done", "timeout": 30},
        # the banner within 5 s of the control room going away
        {"wait_text": OFFLINE_EN, "timeout": 5},
        {"screenshot": "offline.png"},
        {"tap_text": menu.name_en}, {"wait_screen": "menu"},
        {"tap_text": menu.items[0].name_en}, {"wait_screen": "item"},
        {"tap_text": "Log in to order"}, {"wait_screen": "message"},
        {"screenshot": "refused.png"},
        {"mark": "start"}, {"wait_file": "start.done", "timeout": 90},
        # and back by itself
        {"wait_no_text": OFFLINE_EN, "timeout": 15},
        {"screenshot": "recovered.png"},
        {"tap_text": "Home"}, {"wait_screen": "home"},
        {"tap_text": "中文"}, {"wait_text": menu.name_zh},
    ]
    stack.start_controlroom()
    try:
        run = run_kiosk(
            display, workdir, steps, "--orientation", "landscape", "--idle", "600",
            env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
            on_mark={"stop": lambda: stack.stop("controlroom"),
                     "start": stack.start_controlroom}, timeout=800)
    finally:
        stack.group.stop_all()
        keep_artifacts(workdir)
    report = run.check()

    menu_en = after(report, "screenshot", "menu-en.png")["texts"]
    assert menu.items[0].name_en in menu_en
    offline = after(report, "wait_text", OFFLINE_EN)
    assert offline["seconds"] <= 5
    refused = after(report, "screenshot", "refused.png")["texts"]
    assert "Could not be done" in refused
    body = next(t for t in refused if "NOT sent" in t)
    assert "400-820-8820" in body
    recovered = after(report, "screenshot", "recovered.png")["texts"]
    assert OFFLINE_EN not in recovered
    assert report["lang"] == "zh" and report["screen"] == "home"
    assert report["window"] == [1920, 1080]
    assert png_size(workdir / "offline.png") == (1920, 1080)
    assert_renderable(report)
    assert_well_laid_out(report)


# -- refusals before any window ----------------------------------------------------------------


def _kiosk(*args: str, env: dict[str, str] | None = None,
           module: str = "kiosk") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
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
    assert 'xvfb-run -a -s "-screen 0 1080x1920x24" python -m kiosk' in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_needs_no_display() -> None:
    proc = _kiosk("--help")

    assert proc.returncode == 0
    for option in ("--config", "--kiosk", "--lang", "--size", "--orientation", "--fullscreen",
                   "--idle", "--card-reader", "--scanner"):
        assert option in proc.stdout
    # Scripted touches are the tests' own entry point, not the kiosk's (issue 12).
    assert "--script" not in proc.stdout
    driven = _kiosk("--help", module="tests.support.kiosk_driver")
    assert driven.returncode == 0
    assert "--script" in driven.stdout and "--card-reader" in driven.stdout


def test_an_unknown_kiosk_is_refused(tmp_path: Path) -> None:
    proc = _kiosk("--kiosk", "kiosk-9")

    assert proc.returncode == 2
    assert "kiosk-9" in proc.stderr and "kiosk-1" in proc.stderr
