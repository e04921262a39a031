"""A paid order under the flat's fees in the real kiosk window (issue 16, acceptance 3, "a
paid order appears under the flat's fees"): the resident of 1-2-1502 logs in with flat and PIN
on the keypad, orders plumbing (¥80) from the value-added menu, opens 我的账户 → 我的费用 and
finds the order's charge with its price, marked as billed when the service is done and left
out of the balance; a butler completes the request through the staff API, and the fees screen
then shows the charge billed, with its due date, and the balance ¥80 lower. Logged in by PIN,
"my held items" lists a parcel but tells the resident to use the code or the card."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from config import Site
from tests.kiosk.test_kiosk_gui import assert_renderable, assert_well_laid_out
from tests.support.kiosk_gui import after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.kiosk_seed import DeskAndButler
from tests.support.stack import Stack
from tests.utils import auth

UNIT = "1-2-1502"


def _butler_completes_the_order(api_url: str) -> None:
    with httpx.Client(base_url=api_url, timeout=20) as http:
        h = auth(http, "butler1", "butler1123")
        rows = http.get("/api/requests", headers=h, params={"unit": UNIT}).json()["data"]
        order = next(r for r in rows if r["type"] == "service_order")
        for path, body in (("assign", {"assignee": "maintenance"}), ("complete", {})):
            r = http.post(f"/api/requests/{order['id']}/{path}", headers=h, json=body)
            assert r.status_code == 200, r.text


def _balance(texts: list[str]) -> float:
    line = next(t for t in texts if t.startswith("账户余额"))
    found = re.search(r"(-?)¥([\d,]+\.\d\d)", line)
    assert found, line
    return float(found.group(1) + found.group(2).replace(",", ""))


@pytest.mark.gui
@pytest.mark.timeout(600)
def test_an_order_shows_under_my_fees_pending_then_billed_when_done(
        display: str, site: Site, tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("order-fees", numbered=False)
    (workdir / "stack").mkdir()
    stack = Stack(workdir / "stack")
    menu = next(m for m in site.menus if m.id == "value-added")
    stack.start_controlroom()
    DeskAndButler(stack.api_url).check_in_parcel(UNIT, "A-05")
    steps: list[dict[str, Any]] = [
        {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
        {"tap_text": menu.name_zh}, {"wait_screen": "menu"},
        {"tap_text": "水管维修"}, {"wait_screen": "item"},
        {"tap_text": "登录后下单"}, {"wait_screen": "login"},
        {"tap_keys": UNIT}, {"tap_text": "登录"}, {"tap_keys": "246810"},
        {"tap_text": "登录"}, {"wait_screen": "confirm"},
        {"tap_text": "确认下单"}, {"wait_screen": "message"},
        {"screenshot": "ordered.png"},
        {"tap_text": "完成"}, {"wait_screen": "home"},
        {"tap_text": "我的账户"}, {"wait_screen": "account"},
        {"tap_text": "我的费用"}, {"wait_screen": "fees"},
        {"wait_text": "有偿服务 · 水管维修"},
        {"screenshot": "fees-pending.png"},
        # the butler completes the work; the resident looks again
        {"mark": "complete"}, {"wait_file": "complete.done", "timeout": 60},
        {"tap_text": "‹ 返回"}, {"wait_screen": "account"},
        {"tap_text": "我的费用"}, {"wait_screen": "fees"},
        {"wait_text": "¥80.00  未缴"},
        {"screenshot": "fees-billed.png"},
        # logged in by PIN: the parcel is listed, collected with the code or the card
        {"tap_text": "‹ 返回"}, {"wait_screen": "account"},
        {"tap_text": "我的寄存物品"}, {"wait_screen": "items"},
        {"screenshot": "items-pin.png"},
    ]
    try:
        run = run_kiosk(
            display, workdir, steps, "--idle", "600",
            env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
            on_mark={"complete": lambda: _butler_completes_the_order(stack.api_url)},
            timeout=500)
        report = run.check()
    finally:
        stack.group.stop_all()
        keep_artifacts(workdir)

    ordered = after(report, "screenshot", "ordered.png")["texts"]
    number = next(t for t in ordered if re.fullmatch(r"SR-\d{8}-\d{4}", t))
    pending = after(report, "screenshot", "fees-pending.png")["texts"]
    assert "有偿服务 · 水管维修" in pending
    assert f"{number}  ·  服务完成后计费" in pending, pending
    assert "¥80.00  待计费" in pending
    billed = after(report, "screenshot", "fees-billed.png")["texts"]
    assert "有偿服务 · 水管维修" in billed and "¥80.00  待计费" not in billed
    assert any(re.fullmatch(rf"{number}  ·  到期 \d{{4}}-\d\d-\d\d", t) for t in billed), billed
    assert _balance(billed) == pytest.approx(_balance(pending) - 80)
    items = after(report, "screenshot", "items-pin.png")["texts"]
    assert "请凭取件码取件，或刷住户卡登录后在此直接取件" in items, items
    assert "凭取件码在本机取件" in items and "取件" not in items  # no Collect action
    assert_renderable(report)
    assert_well_laid_out(report)
