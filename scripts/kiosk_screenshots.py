"""`make kiosk-screenshots`: every kiosk screen in Chinese and English, portrait and landscape,
into docs/kiosk/ (<orientation>-<lang>-<screen>.png).

Runs the real kiosk under the current DISPLAY (the Makefile wraps it in xvfb-run) with a
scripted tour of touches, against a real control room process on a temporary database: the
desk checks in a parcel, a gas alarm is open in building 1 (the attract screen's banner), and
a butler moves the resident's repair along mid-tour. The last screens show the offline banner
and the refusal: the control room is stopped at the end of the tour.
Usage: python scripts/kiosk_screenshots.py [--out docs/kiosk] [--only portrait]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.kiosk_run import run_kiosk  # noqa: E402
from tests.support.kiosk_seed import DeskAndButler  # noqa: E402
from tests.support.stack import Stack  # noqa: E402

SIZES = {"portrait": "1080x1920", "landscape": "1920x1080"}


def tour(orientation: str, code: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []

    def shot(name: str) -> None:
        steps.extend([
            {"screenshot": f"{orientation}-zh-{name}.png"},
            {"tap_text": "English"}, {"wait_text": "中文"},
            {"screenshot": f"{orientation}-en-{name}.png"},
            {"tap_text": "中文"}, {"wait_text": "English"},
        ])

    def tap(text: str, screen: str | None = None) -> None:
        steps.append({"tap_text": text})
        if screen:
            steps.append({"wait_screen": screen})

    steps.append({"wait_text": "楼栋警报：本楼有燃气报警正在处理中，请勿使用明火。"})
    shot("attract")
    tap("请触摸屏幕开始", "home")
    shot("home")
    tap("增值管家服务", "menu")
    shot("menu")
    tap("水管维修", "item")
    shot("item")
    tap("登录后下单", "login")
    steps += [{"tap_keys": "1-2-1502"}, {"tap_text": "登录"}, {"tap_keys": "2468"}]
    shot("login")
    steps += [{"tap_keys": "10"}]
    tap("登录", "confirm")
    shot("confirm")
    tap("确认下单", "message")
    shot("order-done")
    tap("完成", "home")
    tap("报事 / 求助", "report")
    tap("水龙头、水管")
    shot("report")
    tap("提交", "message")
    tap("完成", "home")
    tap("报事 / 求助", "report")
    tap("求助")
    shot("report-help")
    tap("提交", "message")
    shot("help-sent")
    tap("完成", "home")
    steps += [{"mark": "staff"}, {"wait_file": "staff.done", "timeout": 30}]
    tap("我的账户", "account")
    shot("account")
    tap("我的服务单", "requests")
    shot("requests")
    tap("水龙头、水管", "request")
    shot("request")
    tap("‹ 返回", "requests")
    tap("‹ 返回", "account")
    tap("我的费用", "fees")
    shot("fees")
    tap("‹ 返回", "account")
    tap("我的寄存物品", "items")
    shot("items")
    tap("‹ 返回", "account")
    tap("首页", "home")
    tap("访客登记", "visitor")
    steps.append({"type_text": "Wang Fang", "field": "请输入访客姓名"})
    tap("明天")
    tap("10:00")
    tap("探亲访友")
    shot("visitor")
    tap("通知前台", "visitors")
    shot("visitors")
    tap("退出登录", "attract")
    tap("请触摸屏幕开始", "home")
    tap("取件", "pickup")
    steps.append({"tap_keys": code[:4]})
    shot("pickup")
    steps.append({"tap_keys": code[4:]})
    tap("查找", "found")
    shot("found")
    tap("确认已取 1 件", "message")
    shot("pickup-done")
    tap("完成", "home")
    tap("通知公告", "notices")
    shot("notices")
    tap("首页", "home")
    tap("紧急电话", "contacts")
    shot("contacts")
    tap("首页", "home")
    tap("取件", "pickup")
    for _ in range(10):
        steps += [{"tap_keys": "000001" if code != "000001" else "000002"},
                  {"tap_text": "查找"}]
    steps.append({"wait_text": "取件码错误次数过多，本机取件暂停"})
    shot("pickup-locked")
    tap("首页", "home")
    tap("大字")
    steps.append({"wait_text": "标准字"})
    shot("home-large-text")
    tap("标准字")
    steps += [{"mark": "stop-server"}, {"wait_file": "stop-server.done"},
              {"wait_text": "暂时无法连接服务中心。下单、报修、取件暂停，请致电 400-820-8820",
               "timeout": 10}]
    tap("增值管家服务", "menu")
    tap("水管维修", "item")
    tap("登录后下单", "message")
    shot("offline-refusal")
    return steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "kiosk")
    ap.add_argument("--only", choices=list(SIZES))
    args = ap.parse_args()
    display = os.environ.get("DISPLAY")
    if not display:
        print("kiosk-screenshots: no DISPLAY; run under xvfb-run -a", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for orientation in [args.only] if args.only else list(SIZES):
        with tempfile.TemporaryDirectory(prefix=f"kiosk-shots-{orientation}-") as tmp:
            work = Path(os.environ.get("KIOSK_SHOTS_WORK") or tmp)
            work.mkdir(parents=True, exist_ok=True)
            stack = Stack(work / "stack")
            (work / "stack").mkdir(exist_ok=True)
            try:
                stack.start_controlroom()
                staff = DeskAndButler(stack.api_url)
                code = staff.check_in_parcel("1-2-1502", "A-03")
                staff.raise_gas_alarm("1-1-0301")
                run = run_kiosk(
                    display, work, tour(orientation, code), "--size", SIZES[orientation],
                    "--idle", "600", env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
                    on_mark={"staff": lambda s=staff: s.work_on_latest_repair("1-2-1502"),
                             "stop-server": lambda s=stack: s.stop("controlroom")},
                    timeout=1500)
            finally:
                stack.group.stop_all()
            pngs = sorted(work.glob("*.png"))
            for png in pngs:
                shutil.copy2(png, args.out / png.name)
            if run.report and run.report["ok"]:
                print(f"{orientation}: {len(pngs)} screenshots in {args.out}")
            else:
                failed += 1
                error = run.report["error"] if run.report else run.stderr[-3000:]
                print(f"{orientation}: FAILED after {len(pngs)} screenshots: {error}",
                      file=sys.stderr)
                if run.report:
                    for problem in run.report.get("overflow", []):
                        print(f"  overflow: {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    # The demo site file, with its demo passwords: demo mode (production is the default).
    os.environ.setdefault("BUTLER_DEMO", "1")
    sys.exit(main())
