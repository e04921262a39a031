"""Issue 12, one request vocabulary: the real kiosk window (Xvfb) labels a request in return
visit and a closed one with exactly the words the control room's vocabulary endpoint answers,
the same in the request's header and its timeline, in Chinese and in English."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.kiosk_gui import after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.kiosk_seed import DeskAndButler
from tests.support.stack import Stack

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")


@pytest.mark.gui
@pytest.mark.timeout(600)
def test_my_requests_show_the_states_in_the_words_the_api_serves(
    display: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir: Path = tmp_path_factory.mktemp("vocabulary-portrait", numbered=False)
    stack = Stack(workdir / "stack")
    (workdir / "stack").mkdir()
    stack.start_controlroom()
    try:
        staff = DeskAndButler(stack.api_url)
        vocab = staff.vocabulary()
        visited = staff.order_at_kiosk("1-2-1502", "246810",
                                       {"type": "suggestion", "description": "大堂加几把椅子"})
        closed = staff.order_at_kiosk("1-2-1502", "246810",
                                      {"type": "enquiry", "description": "发票怎么开？"})
        assert staff.through_return_visit(visited["id"]) == "return_visit"
        assert staff.through_return_visit(closed["id"], close=True) == "closed"
        states = vocab["states"]
        steps: list[dict[str, Any]] = [
            {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
            {"tap_text": "我的账户"}, {"wait_screen": "login"},
            {"tap_keys": "1-2-1502"}, {"tap_text": "登录"}, {"tap_keys": "246810"},
            {"tap_text": "登录"}, {"wait_screen": "account", "timeout": 20},
            {"tap_text": "我的服务单"}, {"wait_screen": "requests"},
            {"wait_text": states["closed"]["zh"]},
            {"screenshot": "requests.png"},
            {"tap_text": visited["title_zh"]}, {"wait_screen": "request"},
            {"wait_text": states["return_visit"]["zh"]},
            {"screenshot": "request.png"},
            {"tap_text": "English"}, {"wait_text": states["return_visit"]["en"]},
            {"screenshot": "request-en.png"},
        ]
        run = run_kiosk(display, workdir, steps, "--idle", "600",
                        env={"BUTLER_API_URL": stack.api_url, **stack.group.env}, timeout=500)
    finally:
        stack.group.stop_all()
        keep_artifacts(workdir)
    report = run.check()

    listed = after(report, "screenshot", "requests.png")["texts"]
    assert states["return_visit"]["zh"] in listed and states["closed"]["zh"] in listed, listed
    # The header and the timeline's last step: one label for the state, the API's.
    for shot, lang in (("request.png", "zh"), ("request-en.png", "en")):
        texts = after(report, "screenshot", shot)["texts"]
        assert texts.count(states["return_visit"][lang]) == 2, texts
        assert {states[s][lang] for s in ("received", "assigned", "in_progress", "completed",
                                          "accepted")} <= set(texts), texts
