"""The keypad in the real kiosk window (Xvfb, posted touches), where it used to collapse: in
large-text mode with an error line showing, in Chinese and in English, portrait and landscape.
Every key (the OK key too) must stay a 120-px touch target with its digit inside it; the
error line follows the language; the idle reset brings back Chinese and normal text.

One kiosk process per orientation, against a real control room process (the wrong PIN and the
wrong pickup code are the control room's answers). Screenshots are kept in the test's tmp
folder and copied to var/test-artifacts/kiosk/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.kiosk_gui import TOUCH_MIN_PX, after, keep_artifacts, png_size
from tests.support.kiosk_run import run_kiosk
from tests.support.stack import Stack

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
WRONG_PIN = {"zh": "房号或密码不正确，还可尝试 4 次", "en": "Flat or PIN not right: 4 tries left"}
WRONG_CODE = {"zh": "取件码不正确，还可尝试 9 次", "en": "That code is not right: 9 tries left"}


def steps_for(orientation: str) -> list[dict[str, Any]]:
    def measure(name: str) -> list[dict[str, Any]]:
        return [{"layout": name}, {"screenshot": f"{orientation}-{name}.png"}]

    return [
        {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
        {"tap_text": "大字"}, {"wait_text": "标准字"},
        # a wrong PIN: the error line above the keypad, in large text
        {"tap_text": "我的账户"}, {"wait_screen": "login"},
        {"tap_keys": "1-2-1502"}, {"tap_text": "登录"}, {"tap_keys": "000000"},
        {"tap_text": "登录"}, {"wait_text": WRONG_PIN["zh"]},
        *measure("login-zh"),
        {"tap_text": "English"}, {"wait_text": WRONG_PIN["en"]},
        *measure("login-en"),
        # the pickup keypad after a wrong code
        {"tap_text": "Home"}, {"wait_screen": "home"},
        {"tap_text": "Pick up an item"}, {"wait_screen": "pickup"},
        {"tap_keys": "000001"}, {"tap_text": "Find"}, {"wait_text": WRONG_CODE["en"]},
        *measure("pickup-en"),
        {"tap_text": "中文"}, {"wait_text": WRONG_CODE["zh"]},
        *measure("pickup-zh"),
        # the resident walks away in English: the idle reset brings Chinese and normal text
        {"tap_text": "English"}, {"wait_text": WRONG_CODE["en"]},
        {"set_idle": 3}, {"wait_screen": "attract", "timeout": 60},
        {"screenshot": f"{orientation}-idle.png"},
    ]


def assert_keys_are_touch_targets(step: dict[str, Any]) -> None:
    keys = step["keys"]
    # 1-9, '-' or C, 0, delete, and OK
    assert len(keys) == 13, [k["text"] for k in keys]
    for key in keys:
        (w, h), (tw, th) = key["size"], key["text_size"]
        assert w >= TOUCH_MIN_PX and h >= TOUCH_MIN_PX, f"key too small: {key}"
        assert 0 < tw <= w and 0 < th <= h, f"text spills over the key: {key}"
        assert key["visible"], f"key not wholly on screen: {key}"


@pytest.mark.gui
@pytest.mark.timeout(600)
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_keypad_keys_stay_120_px_in_large_text_after_an_error_in_both_languages(
    display: str, orientation: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp(f"keypad-{orientation}", numbered=False)
    stack = Stack(workdir / "stack")
    (workdir / "stack").mkdir()
    stack.start_controlroom()
    try:
        run = run_kiosk(
            display, workdir, steps_for(orientation), "--orientation", orientation,
            "--idle", "600", env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
            timeout=500)
    finally:
        stack.group.stop_all()
        keep_artifacts(workdir)
    report = run.check()

    assert report["window"] == list(SIZES[orientation])
    for name, words in (("login", WRONG_PIN), ("pickup", WRONG_CODE)):
        for lang in ("zh", "en"):
            step = after(report, "layout", f"{name}-{lang}")
            assert step["lang"] == lang and words[lang] in step["texts"], step["texts"]
            assert "标准字" in step["texts"] or "A− Normal" in step["texts"]  # large text on
            assert_keys_are_touch_targets(step)
            assert step["overflow"] == [], f"text larger than its box: {step['overflow']}"
            assert png_size(Path(workdir / f"{orientation}-{name}-{lang}.png")) == \
                SIZES[orientation]

    idle = after(report, "screenshot", f"{orientation}-idle.png")
    assert idle["screen"] == "attract" and idle["lang"] == "zh"
    assert "请触摸屏幕开始" in idle["texts"] and "大字" in idle["texts"]  # normal text again
