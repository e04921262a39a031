"""Fees at the desk in a real browser (issue 16, acceptance 1): a flat in the arrears list,
a payment recorded that clears its arrear, and the flat leaves the list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.support.browser import ARTIFACTS, CHROMIUM, ControlRoom, sign_in

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
