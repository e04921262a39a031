"""Issue 16, a visitor announced at the kiosk: the real kiosk window (Xvfb) against a real
control room process. Portrait, Chinese: a resident logs in by touches, types the visitor's
name, touches tomorrow, 10:00 and a purpose, and sends; the confirmation names the visitor and
the time, and the front desk's list of expected visitors has them for the flat at that time.
Landscape, English: a second visitor, and the confirmation lists both. Screenshots in
var/test-artifacts/kiosk/."""

from __future__ import annotations

import shutil
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.kiosk_gui import TOUCH_MIN_PX, after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.stack import Stack
from tests.utils import auth

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")

TZ = ZoneInfo("Asia/Shanghai")  # the demo site's time zone
LOGIN = [{"tap_keys": "1-2-1502"}, {"tap_text": "登录"}, {"tap_keys": "246810"},
         {"tap_text": "登录"}]


def desk_visitors(api_url: str, day: str) -> list[dict[str, Any]]:
    """Who the front desk expects at 1-2-1502 on `day` (GET /api/visitors)."""
    r = httpx.get(f"{api_url}/api/visitors", params={"day": day, "unit": "1-2-1502"},
                  timeout=20, headers=auth(api_url, "frontdesk", "frontdesk123"))
    assert r.status_code == 200, r.text
    return list(r.json()["data"])


def assert_laid_out(report: dict[str, Any], wanted: list[str]) -> None:
    """The form's choices are visible buttons of at least the touch minimum; no text is
    larger than its box."""
    step = after(report, "layout", "visitor")
    buttons = [b for b in step["tappables"] if b["text"] in wanted]
    assert sorted(b["text"] for b in buttons) == sorted(wanted), step["tappables"]
    for b in buttons:
        assert b["visible"] and min(b["size"]) >= TOUCH_MIN_PX, b
    assert step["overflow"] == [], step["overflow"]


@pytest.mark.gui
@pytest.mark.timeout(900)
def test_a_visitor_announced_by_touch_is_expected_at_the_desk(
        display: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir: Path = tmp_path_factory.mktemp("visitor", numbered=False)
    stack = Stack(workdir / "stack")
    (workdir / "stack").mkdir()
    stack.start_controlroom()
    tomorrow = datetime.now(TZ).date() + timedelta(days=1)
    portrait, landscape = workdir / "visitor-portrait-zh", workdir / "visitor-landscape-en"
    try:
        steps: list[dict[str, Any]] = [
            {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
            {"tap_text": "访客登记"}, {"wait_screen": "login"}, *LOGIN,
            {"wait_screen": "visitor", "timeout": 20},
            {"screenshot": "visitor-empty.png"},
            {"type_text": "Wang Fang", "field": "请输入访客姓名"},
            {"tap_text": "明天"}, {"tap_text": "10:00"}, {"tap_text": "探亲访友"},
            {"screenshot": "visitor-form.png"}, {"layout": "visitor"},
            {"tap_text": "通知前台"}, {"wait_screen": "visitors", "timeout": 20},
            {"screenshot": "visitor-told.png"},
            {"tap_text": "English"}, {"wait_text": "The front desk has been told"},
            {"screenshot": "visitor-told-en.png"},
        ]
        run = run_kiosk(display, portrait, steps, "--idle", "600",
                        env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
                        timeout=400)
        first = run.check()
        expected = desk_visitors(stack.api_url, tomorrow.isoformat())

        steps = [
            {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
            {"tap_text": "English"}, {"wait_text": "中文"},
            {"tap_text": "Announce a visitor"}, {"wait_screen": "login"}, *LOGIN[:1],
            {"tap_text": "Log in"}, {"tap_keys": "246810"}, {"tap_text": "Log in"},
            {"wait_screen": "visitor", "timeout": 20},
            {"type_text": "Li Lei", "field": "Type the visitor's name"},
            {"tap_text": "Tomorrow"}, {"tap_text": "14:00"},
            {"screenshot": "visitor-form.png"}, {"layout": "visitor"},
            {"tap_text": "Tell the front desk"}, {"wait_screen": "visitors", "timeout": 20},
            {"screenshot": "visitor-told.png"},
        ]
        run = run_kiosk(display, landscape, steps, "--orientation", "landscape",
                        "--idle", "600",
                        env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
                        timeout=400)
        second = run.check()
    finally:
        stack.group.stop_all()
        for d in (portrait, landscape):
            if d.exists():
                keep_artifacts(d)

    at = f"{tomorrow:%Y-%m-%d} 10:00"
    told = after(first, "screenshot", "visitor-told.png")["texts"]
    assert {"已通知前台", f"Wang Fang  ·  {at}", "本户待到访客", "Wang Fang",
            "探亲访友 / Family or friends", at} <= set(told), told
    told_en = after(first, "screenshot", "visitor-told-en.png")["texts"]
    assert {"The front desk has been told", "Visitors expected at your flat"} <= set(told_en)
    assert_laid_out(first, ["明天", "08:00", "10:00", "20:00", "探亲访友", "护工 / 家政"])

    # The desk expects them for the flat, tomorrow at 10:00 on the site's clock.
    assert [(v["unit"], v["name"], v["source"], v["state"]) for v in expected] == [
        ("1-2-1502", "Wang Fang", "kiosk", "expected")], expected
    assert datetime.fromisoformat(expected[0]["expected_at"]).astimezone(TZ) == (
        datetime.combine(tomorrow, time(10), tzinfo=TZ))
    assert expected[0]["purpose"] == "探亲访友 / Family or friends"

    # Landscape, English: both visitors of the flat, soonest first.
    assert_laid_out(second, ["Tomorrow", "08:00", "20:00", "Family or friends",
                             "Carer or home help"])
    rows = [t for t in after(second, "screenshot", "visitor-told.png")["texts"]
            if t in ("Wang Fang", "Li Lei")]
    assert rows == ["Wang Fang", "Li Lei"], rows
