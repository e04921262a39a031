"""Acceptance 5 of issue 14 in the real kiosk window (Xvfb, posted touches) against a real
control room whose SMS gateway is an HTTP server this test starts: the resident types the
flat, taps "text me a code", the control room sends the code by SMS (through its outbox), the
test takes it from its gateway and types it on the keypad — logged in. Then five wrong codes
lock the flat at that kiosk as five wrong PINs do (tests/controlroom/api/test_kiosk_api.py shows
that it is the PIN's own count: the PIN is refused too while locked).

Screenshots are kept in the test's tmp folder and copied to var/test-artifacts/kiosk/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.kiosk_gui import after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.receivers import http_receiver
from tests.support.stack import Stack
from tests.utils import wait_until

FLAT, PHONE = "1-1-0301", "135-0000-0301"
SENT = "验证码已发送到本房登记的手机（5 分钟内有效）"


def steps() -> list[dict[str, object]]:
    wrong = [step for n in (4, 3, 2, 1) for step in (
        {"tap_keys": "000000"}, {"tap_text": "登录"},
        {"wait_text": f"验证码不正确，还可尝试 {n} 次"})]
    return [
        {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
        {"tap_text": "我的账户"}, {"wait_screen": "login"},
        {"tap_keys": FLAT}, {"tap_text": "短信验证码登录"}, {"wait_text": SENT},
        {"screenshot": "code-sent.png"},
        {"mark": "want-code"}, {"tap_keys_from_file": "code.txt", "timeout": 60},
        {"tap_text": "登录"}, {"wait_screen": "account", "timeout": 20},
        {"screenshot": "logged-in-by-code.png"},
        {"tap_text": "退出登录"}, {"wait_screen": "attract"},
        # five wrong codes lock the flat at this kiosk, as five wrong PINs do
        {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
        {"tap_text": "我的账户"}, {"wait_screen": "login"},
        {"tap_keys": FLAT}, {"tap_text": "短信验证码登录"}, {"wait_text": SENT},
        *wrong,
        {"tap_keys": "000000"}, {"tap_text": "登录"},
        {"wait_text": "尝试次数过多，请 5 分钟 后再试"},
        {"screenshot": "code-locked.png"},
    ]


@pytest.mark.gui
@pytest.mark.timeout(600)
def test_login_by_a_code_sent_by_sms_and_five_wrong_codes_lock(
        display: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("login-code", numbered=False)
    (workdir / "stack").mkdir()
    with http_receiver() as sms:
        stack = Stack(workdir / "stack")
        stack.group.env["BUTLER_SMS_URL"] = f"{sms.url}/sms"
        stack.start_controlroom()

        def hand_over_the_code() -> None:
            [post] = wait_until("the login code at the SMS gateway", lambda: [
                p for p in sms.unique("/sms") if p.body["kind"] == "login_code"], 30)
            assert post.body["to"] == PHONE
            code = re.match(r"^(\d{6}) ", post.body["text"])
            assert code, post.body["text"]
            (workdir / "code.txt").write_text(code.group(1), encoding="utf-8")

        try:
            run = run_kiosk(display, workdir, steps(), "--idle", "600",
                            env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
                            on_mark={"want-code": hand_over_the_code}, timeout=400)
            keep_artifacts(workdir)
            report = run.check()
            assert after(report, "wait_screen", "account")["screen"] == "account"
            # The second code was sent too.
            assert len([p for p in sms.unique("/sms") if p.body["kind"] == "login_code"]) == 2
            logs = "".join(p.read_text(errors="replace") for p in Path(workdir).rglob("*.log"))
            code = (workdir / "code.txt").read_text(encoding="utf-8")
            assert code not in logs  # the code is in no log
        finally:
            stack.group.stop_all()
