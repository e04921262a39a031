"""Fees at the desk in a real browser (issue 16, acceptance 1): a flat in the arrears list,
a payment recorded that clears its arrear, and the flat leaves the list; a flat's paid orders
(one billed, one pending) in its account."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.support.browser import ARTIFACTS, CHROMIUM, ControlRoom, sign_in
from tests.support.kiosk_seed import DeskAndButler

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect
UNIT = "1-1-0402"  # a flat with no other bills


def test_a_payment_recorded_at_the_desk_clears_the_arrear(page: Any, room: ControlRoom) -> None:
    overdue = date.today() - timedelta(days=20)
    r = httpx.post(f"{room.base_url}/api/fees/{UNIT}/statements", timeout=10, json={
        "period": f"{overdue:%Y-%m}", "due": overdue.isoformat(),
        "charges": [{"label_zh": "物业服务费", "label_en": "Management fee", "amount": 356.4},
                    {"label_zh": "公摊水电", "label_en": "Shared utilities", "amount": 23.6}]},
        headers={"Authorization": f"Bearer {room.token('frontdesk', 'frontdesk123')}"})
    assert r.status_code == 201, r.text
    assert r.json()["arrears"] == 380.0

    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("nav-fees").click()
    row = page.locator(f'[data-testid="arrear-row"][data-unit="{UNIT}"]')
    expect(row.get_by_test_id("arrear-amount")).to_have_text("380.00")
    row.get_by_role("button", name=UNIT).click()
    head = page.get_by_test_id("account-head")
    expect(head).to_have_attribute("data-arrears", "380")
    expect(page.get_by_test_id("pay-amount")).to_have_value("380.00")
    expect(page.get_by_test_id("pay-form")).to_contain_text("金额（元）")
    page.get_by_test_id("pay-method").select_option("wechat")
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("fees-status")).to_have_text("已收款 380.00 元")
    expect(head).to_have_attribute("data-arrears", "0")
    expect(row).to_have_count(0)
    expect(page.get_by_test_id("payments-table")).to_contain_text("微信")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fees-arrear-cleared.png"), full_page=True)
    after = httpx.get(f"{room.base_url}/api/fees/{UNIT}", timeout=10, headers={
        "Authorization": f"Bearer {room.token('frontdesk', 'frontdesk123')}"}).json()
    assert after["arrears"] == 0 and after["statements"][0]["status"] != "overdue"


def test_a_flats_paid_orders_show_in_its_account_billed_once_done(page: Any, room: ControlRoom
                                                                  ) -> None:
    unit = "1-1-0101"  # Emma Wilson, PIN 808080
    desk = {"Authorization": f"Bearer {room.token('frontdesk', 'frontdesk123')}"}
    before = httpx.get(f"{room.base_url}/api/fees/{unit}", headers=desk, timeout=10).json()
    staff = DeskAndButler(room.base_url)
    done = staff.order_at_kiosk(unit, "808080", {"type": "service_order", "item": "plumbing"})
    pending = staff.order_at_kiosk(unit, "808080",
                                   {"type": "service_order", "item": "home-cleaning"})
    butler = {"Authorization": f"Bearer {room.token('butler1', 'butler1123')}"}
    for path, body in (("assign", {"assignee": "maintenance"}), ("complete", {})):
        r = httpx.post(f"{room.base_url}/api/requests/{done['id']}/{path}", json=body,
                       headers=butler, timeout=10)
        assert r.status_code == 200, r.text

    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("nav-fees").click()
    page.get_by_test_id("fees-unit").fill(unit)
    page.get_by_test_id("fees-open").click()
    orders = page.get_by_test_id("orders-table")
    billed = orders.locator(f'tr[data-request="{done["id"]}"]')
    expect(billed).to_have_attribute("data-state", "billed")
    expect(billed).to_contain_text(done["number"])
    expect(billed).to_contain_text("水管维修")
    expect(billed).to_contain_text("80.00")
    expect(billed).to_contain_text("未缴")
    waiting = orders.locator(f'tr[data-request="{pending["id"]}"]')
    expect(waiting).to_have_attribute("data-state", "pending")
    expect(waiting).to_contain_text("服务完成后计费")
    expect(waiting).to_contain_text("150.00")
    # the balance counts the billed order only
    expect(page.get_by_test_id("account-head")).to_contain_text(
        f"余额 {before['balance'] - 80:.2f} 元")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fees-paid-orders.png"), full_page=True)
