"""Pickup by resident card in the real kiosk window (issue 16, acceptance 3, "a pickup by card
swipe"): the desk registers a move-in with a new card and checks in a parcel and a hand-over
for that flat through the staff API; at the kiosk the resident goes to 取件, holds the card to
the reader (a swipe on the card reader's pty), finds the parcel under "my held items" with a
Collect action (the hand-over stays for the desk), opens it and collects it by touches. The
desk's API then shows the parcel released at the kiosk and the release audited as by card."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from firmware_sim.kiosk_readers import ReaderPty
from tests.kiosk.test_kiosk_gui import assert_renderable, assert_well_laid_out
from tests.support.kiosk_gui import after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.stack import Stack
from tests.utils import auth

UNIT, CARD = "1-1-0204", "04d7000001"  # a new resident, not in the site file


class Desk:
    def __init__(self, api_url: str) -> None:
        self.http = httpx.Client(base_url=api_url, timeout=20)
        self.h = auth(self.http, "frontdesk", "frontdesk123")

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post(path, headers=self.h, json=body)
        assert r.status_code == 201, f"{path}: {r.status_code} {r.text}"
        return dict(r.json())

    def get(self, path: str) -> dict[str, Any]:
        r = self.http.get(path, headers=self.h)
        assert r.status_code == 200, f"{path}: {r.status_code} {r.text}"
        return dict(r.json())


@pytest.mark.gui
@pytest.mark.timeout(600)
def test_a_new_resident_collects_a_parcel_with_their_card_by_touch(
        display: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("card-pickup", numbered=False)
    (workdir / "stack").mkdir()
    stack = Stack(workdir / "stack")
    card = ReaderPty()
    stack.start_controlroom()
    desk = Desk(stack.api_url)
    moved_in = desk.post("/api/residents", {"unit": UNIT, "name": "赵雪梅",
                                            "phone": "139-2222-0204", "card": CARD})
    assert moved_in["card"] == CARD.upper()
    parcel = desk.post("/api/items", {"unit": UNIT, "kind": "parcel", "pieces": 1,
                                      "location": "C-12", "carrier": "SF"})["item"]
    desk.post("/api/items", {"unit": UNIT, "kind": "handover", "pieces": 1,
                             "location": "Desk", "depositor": "王师傅"})
    steps: list[dict[str, Any]] = [
        {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
        {"tap_text": "取件"}, {"wait_screen": "pickup"},
        {"screenshot": "pickup.png"},
        # the resident holds the card to the reader: logged in, my held items open
        {"mark": "swipe"}, {"wait_screen": "items", "timeout": 30},
        {"wait_text": "取件"},
        {"screenshot": "items.png"},
        {"tap_text": "取件"}, {"wait_screen": "found"},
        {"screenshot": "found.png"},
        {"tap_text": "确认已取 1 件"}, {"wait_text": "取件完成"},
        {"screenshot": "collected.png"},
        {"tap_text": "完成"}, {"wait_screen": "home"},
        {"tap_text": "我的账户"}, {"wait_screen": "account"},
        {"tap_text": "我的寄存物品"}, {"wait_screen": "items"},
        {"screenshot": "items-after.png"},
    ]
    try:
        run = run_kiosk(
            display, workdir, steps, "--idle", "600", "--card-reader", card.path,
            env={"BUTLER_API_URL": stack.api_url, **stack.group.env},
            on_mark={"swipe": lambda: card.swipe(CARD)}, timeout=500)
        report = run.check()
        item = desk.get(f"/api/items/{parcel['id']}")
    finally:
        log = (workdir / "stack" / "log" / "controlroom.log").read_text(errors="replace")
        stack.group.stop_all()
        card.close()
        keep_artifacts(workdir)

    pickup = after(report, "screenshot", "pickup.png")["texts"]
    assert "也可扫描取件单，或在读卡区刷住户卡取件" in pickup
    items = after(report, "screenshot", "items.png")["texts"]
    assert "已刷住户卡登录：点「取件」即可领取" in items, items
    assert "可在本机刷卡取件 · 1 件" in items and "请带身份证到服务台领取" in items
    assert items.count("取件") == 1  # the parcel's Collect; the hand-over has none
    assert "您好，赵*" in items
    found = after(report, "screenshot", "found.png")["texts"]
    assert "C-12" in found and any("房号 1-1-02**" in t for t in found), found
    collected = after(report, "screenshot", "collected.png")["texts"]
    assert "取件完成" in collected and any(t.startswith("已于 ") for t in collected)
    later = after(report, "screenshot", "items-after.png")["texts"]
    assert "可在本机刷卡取件 · 1 件" not in later and "请带身份证到服务台领取" in later

    assert item["item"]["state"] == "released" and item["item"]["released_via"] == "kiosk"
    assert item["item"]["picked_up_by"] == "resident of the flat, by card"
    release = [e for e in item["history"] if e["action"] == "item.release"]
    assert len(release) == 1 and release[0]["actor"] == "kiosk-1"
    assert "by card" in release[0]["detail"]
    assert f'"POST /api/kiosk/items/{parcel["id"]}/collect HTTP/1.1" 200' in log
    assert_renderable(report)
    assert_well_laid_out(report)
