"""A running kiosk follows the site's new promises and prices (issue 16, acceptance 3: "the
promise text follows a changed SLA setting"), in the real window of `python -m kiosk --api URL
--kiosk ID`: the control room restarts with a site file whose repair promise is 20 minutes (was
15) and whose plumbing costs ¥95 (was ¥80); the kiosk, never restarted, shows the new words
and price once it is back on its attract screen, because `GET /api/kiosk/info` carries the
configuration's version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.kiosk_gui import after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.sites import demo_text, write_site
from tests.support.stack import Stack
from tests.utils import wait_until

PLUMBING_OLD = 'price = 80\nsla = "repair"'
PLUMBING_NEW = 'price = 95\nsla = "repair"'
ASKED = '"GET /api/kiosk/config HTTP/1.1" 200'


def _to_plumbing(name: str) -> list[dict[str, Any]]:
    return [{"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
            {"tap_text": "增值管家服务"}, {"wait_screen": "menu"},
            {"tap_text": "水管维修"}, {"wait_screen": "item"},
            {"screenshot": name}]


@pytest.mark.gui
@pytest.mark.timeout(600)
def test_the_running_kiosk_shows_the_new_sla_and_price_after_the_control_room_changes(
        display: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    work: Path = tmp_path_factory.mktemp("new-config", numbered=False)
    (work / "stack").mkdir()
    old = demo_text()
    assert "repair_on_site_min = 15" in old and PLUMBING_OLD in old
    new = old.replace("repair_on_site_min = 15", "repair_on_site_min = 20", 1).replace(
        PLUMBING_OLD, PLUMBING_NEW, 1)
    stack = Stack(work / "stack", site=write_site(work, old, "site-old.toml"))
    stack.start_controlroom()

    log = stack.tmp / "log" / "controlroom.log"
    since: list[int] = []

    def restart_with_the_new_site() -> None:
        stack.stop("controlroom")
        since.append(log.stat().st_size)  # the log is appended to: what the new one writes
        stack.site = write_site(work, new, "site-new.toml")
        stack.start_controlroom()

    def asked_again() -> None:
        """Until the kiosk has fetched the new configuration (the control room's log)."""
        wait_until("the kiosk asks for its configuration again", lambda: ASKED in log.read_bytes()[
            since[0]:].decode(errors="replace"), timeout=60)

    steps: list[dict[str, Any]] = [
        *_to_plumbing("item-before.png"),
        {"mark": "restart"}, {"wait_file": "restart.done", "timeout": 90},
        # No touch for 3 s: back to the attract screen, where a new configuration is taken in.
        {"set_idle": 3}, {"wait_screen": "attract", "timeout": 30},
        {"mark": "asked"}, {"wait_file": "asked.done", "timeout": 90},
        *_to_plumbing("item-after.png"),
    ]
    try:
        run = run_kiosk(display, work / "kiosk-new-config", steps, "--api", stack.api_url,
                        "--kiosk", "kiosk-1", "--idle", "600",
                        env={"BUTLER_DEMO": "1", "BUTLER_KIOSK_SECRET": "kiosk1-secret"},
                        on_mark={"restart": restart_with_the_new_site, "asked": asked_again},
                        timeout=400)
    finally:
        stack.group.stop_all()
        keep_artifacts(work / "kiosk-new-config")
    report = run.check()

    before = after(report, "screenshot", "item-before.png")["texts"]
    assert any("15 分钟内到场" in t for t in before), before
    assert any("80" in t for t in before) and not any("95" in t for t in before)
    later = after(report, "screenshot", "item-after.png")["texts"]
    assert any("20 分钟内到场" in t for t in later), later
    assert any("95" in t for t in later) and not any("¥80" in t for t in later)
