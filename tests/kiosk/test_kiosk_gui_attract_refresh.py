"""The attract screen nobody touches, in the real kiosk window (issue 16, acceptance 1: "a notice
scheduled that appears on the kiosk's attract screen at its time"): the desk schedules a notice
for a few seconds later and it appears at its time, not before; then a gas alarm in the kiosk's
building puts the incident banner up, again without a touch. Before, the kiosk asked for its
notices and banner only when someone touched it, so neither would have appeared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.flows.core import PUBLIC_REFRESH_S
from tests.support.kiosk_gui import after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.kiosk_seed import DeskAndButler
from tests.support.stack import Stack

TITLE = "12月6日停水通知"
BODY = "1号楼 9:00-12:00 停水检修，请提前储水。"
BANNER = "楼栋警报：本楼有燃气报警正在处理中，请勿使用明火。"
LEAD_S = 8.0  # the notice starts this long after the desk writes it


@pytest.mark.gui
@pytest.mark.timeout(600)
def test_a_scheduled_notice_and_a_gas_alarm_reach_the_untouched_attract_screen(
        display: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir: Path = tmp_path_factory.mktemp("attract-refresh", numbered=False)
    (workdir / "stack").mkdir()
    stack = Stack(workdir / "stack")
    stack.start_controlroom()
    desk = DeskAndButler(stack.api_url)
    starts: list[float] = []

    def schedule() -> None:
        start = datetime.now(UTC) + timedelta(seconds=LEAD_S)
        starts.append(start.timestamp())
        desk.schedule_notice(TITLE, "Water off on 6 December", BODY, start.isoformat(),
                             (start + timedelta(days=1)).isoformat())

    steps: list[dict[str, Any]] = [
        {"wait_screen": "attract"},
        {"mark": "schedule"}, {"wait_file": "schedule.done", "timeout": 30},
        {"screenshot": "attract-before.png"},
        {"wait_text": TITLE, "timeout": LEAD_S + PUBLIC_REFRESH_S + 30},
        {"screenshot": "attract-notice.png"},
        {"mark": "alarm"}, {"wait_file": "alarm.done", "timeout": 30},
        {"wait_text": BANNER, "timeout": PUBLIC_REFRESH_S + 30},
        {"screenshot": "attract-incident.png"},
    ]
    try:
        run = run_kiosk(display, workdir, steps, "--idle", "600",
                        env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
                        on_mark={"schedule": schedule,
                                 "alarm": lambda: desk.raise_gas_alarm("1-1-0301")},
                        timeout=400)
    finally:
        stack.group.stop_all()
        keep_artifacts(workdir)
    report = run.check()

    [start] = starts
    before = after(report, "screenshot", "attract-before.png")
    if before["finished_at"] < start:  # the machine was quick enough to look before the start
        assert TITLE not in before["texts"]
    shown = after(report, "wait_text", TITLE)
    assert shown["finished_at"] >= start - 1, "the notice was shown before its time"
    assert BODY in shown["texts"]
    assert shown["screen"] == "attract"
    incident = after(report, "wait_text", BANNER)
    assert incident["screen"] == "attract" and TITLE in incident["texts"]
    # No one touched the screen: it stayed on attract throughout.
    assert all(s["screen"] == "attract" for s in report["steps"])
