"""Issue 16, every request type at the kiosk: the real kiosk window (Xvfb) against a real control
room process. Portrait, Chinese: a resident logs in by touches and sends a help request with
no text; the confirmation shows its number and what happens next, and the desk finds a help
request from the kiosk for the flat. Landscape, English: an enquiry, its text typed, reaches
the desk with that text. Screenshots of the report screen in both orientations (all five
kinds fit) are kept in var/test-artifacts/kiosk/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.kiosk_gui import TOUCH_MIN_PX, after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.kiosk_seed import DeskAndButler
from tests.support.stack import Stack
from tests.utils import auth

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")

NUMBER = re.compile(r"SR-\d{8}-\d{4}")
KINDS_ZH = ["报修", "投诉", "求助", "咨询", "建议"]
KINDS_EN = ["Repair", "Complaint", "Help", "Enquiry", "Suggestion"]
LOGIN = [{"tap_keys": "1-2-1502"}, {"tap_text": "登录"}, {"tap_keys": "246810"},
         {"tap_text": "登录"}]


def desk_requests(api_url: str) -> list[dict[str, Any]]:
    """The flat's open requests as the front desk sees them (GET /api/requests)."""
    r = httpx.get(f"{api_url}/api/requests", params={"unit": "1-2-1502"}, timeout=20,
                  headers=auth(api_url, "frontdesk", "frontdesk123"))
    assert r.status_code == 200, r.text
    return list(r.json()["data"])


def assert_fits(report: dict[str, Any], kinds: list[str]) -> None:
    """On the report screen every kind is a visible button of at least the touch minimum,
    and no text is larger than its box."""
    step = after(report, "layout", "report")
    assert [t for t in step["texts"] if t in kinds] == kinds, step["texts"]
    buttons = [b for b in step["tappables"] if b["text"] in kinds]
    assert len(buttons) == len(kinds), step["tappables"]
    for b in buttons:
        assert b["visible"] and min(b["size"]) >= TOUCH_MIN_PX, b
    assert step["overflow"] == [], step["overflow"]


@pytest.mark.gui
@pytest.mark.timeout(900)
def test_a_help_request_by_touch_reaches_the_desk_and_an_enquiry_takes_its_text(
        display: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir: Path = tmp_path_factory.mktemp("help-request", numbered=False)
    stack = Stack(workdir / "stack")
    (workdir / "stack").mkdir()
    stack.start_controlroom()
    next_step = DeskAndButler(stack.api_url).vocabulary()["next_steps"]["received"]["zh"]
    portrait, landscape = workdir / "help-portrait-zh", workdir / "enquiry-landscape-en"
    try:
        help_steps: list[dict[str, Any]] = [
            {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
            {"screenshot": "home.png"},
            {"tap_text": "报事 / 求助"}, {"wait_screen": "login"}, *LOGIN,
            {"wait_screen": "report", "timeout": 20},
            {"screenshot": "report.png"}, {"layout": "report"},
            {"tap_text": "求助"}, {"wait_text": "需要帮助？直接按「提交」，管家会尽快联系您。"},
            {"screenshot": "report-help.png"},
            {"tap_text": "提交"}, {"wait_screen": "message", "timeout": 20},
            {"wait_text": "已收到您的求助"},
            {"screenshot": "help-sent.png"},
            {"tap_text": "完成"}, {"wait_screen": "home"},
        ]
        run = run_kiosk(display, portrait, help_steps, "--idle", "600",
                        env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
                        timeout=400)
        help_report = run.check()
        after_help = desk_requests(stack.api_url)

        enquiry_steps: list[dict[str, Any]] = [
            {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
            {"tap_text": "English"}, {"wait_text": "中文"},
            {"screenshot": "home.png"},
            {"tap_text": "Report or get help"}, {"wait_screen": "login"}, *LOGIN[:1],
            {"tap_text": "Log in"}, {"tap_keys": "246810"}, {"tap_text": "Log in"},
            {"wait_screen": "report", "timeout": 20},
            {"screenshot": "report.png"}, {"layout": "report"},
            {"tap_text": "Enquiry"},
            {"wait_text": "Write your question below: Send works once there is text."},
            {"screenshot": "report-enquiry-empty.png"},
            {"type_text": "When is the water back on?"},
            {"screenshot": "report-enquiry.png"},
            {"tap_text": "Send"}, {"wait_screen": "message", "timeout": 20},
            {"wait_text": "Report received"},
            {"screenshot": "enquiry-sent.png"},
        ]
        run = run_kiosk(display, landscape, enquiry_steps, "--orientation", "landscape",
                        "--idle", "600",
                        env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
                        timeout=400)
        enquiry_report = run.check()
        after_enquiry = desk_requests(stack.api_url)
    finally:
        stack.group.stop_all()
        for d in (portrait, landscape):
            if d.exists():
                keep_artifacts(d)

    # Portrait, Chinese: five kinds fit; help is sent with one touch.
    assert_fits(help_report, KINDS_ZH)
    sent = after(help_report, "screenshot", "help-sent.png")["texts"]
    number = next(t for t in sent if NUMBER.fullmatch(t))
    body = next(t for t in sent if t.startswith(next_step))  # the control room's words
    lines = body.split("\n")
    assert lines[1].startswith("承诺时间：") and lines[1].endswith(" 前"), lines
    assert "120" in lines[2], lines
    # The desk sees it: a help request from the kiosk for the flat, with that number.
    helped = [r for r in after_help if r["number"] == number]
    assert len(helped) == 1, after_help
    assert (helped[0]["type"], helped[0]["unit"], helped[0]["channel"]) == (
        "help", "1-2-1502", "kiosk")

    # Landscape, English: the five kinds in one row; the enquiry's text reaches the desk.
    assert_fits(enquiry_report, KINDS_EN)
    sent = after(enquiry_report, "screenshot", "enquiry-sent.png")["texts"]
    number = next(t for t in sent if NUMBER.fullmatch(t))
    asked = [r for r in after_enquiry if r["number"] == number]
    assert len(asked) == 1, after_enquiry
    assert (asked[0]["type"], asked[0]["channel"], asked[0]["description"]) == (
        "enquiry", "kiosk", "When is the water back on?")
