"""The front-desk pages of the web console in a real browser: parcel check-in with the code
shown once for the claim stub, refusals, the register with release at the desk, and the daily
reconciliation (issue 6, acceptance 5, the held-items part)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM,
    ControlRoom,
    sign_in,
)
from tests.support.stack import Stack

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect


@pytest.fixture(scope="module")
def room(controlroom_process: Stack) -> ControlRoom:
    # The shared process fixture waits up to 60 s for start-up (a loaded machine needs it).
    return ControlRoom(controlroom_process.api_url, controlroom_process.tmp / "log")


def _kiosk(room: ControlRoom, path: str, body: dict) -> httpx.Response:
    return httpx.post(f"{room.base_url}/api/kiosk/pickup/{path}", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {room.token('kiosk-1', 'kiosk1-secret')}"})


def _check_in_by_api(room: ControlRoom, unit: str, location: str) -> dict:
    r = httpx.post(f"{room.base_url}/api/items", timeout=10, json={
        "unit": unit, "location": location},
        headers={"Authorization": f"Bearer {room.token('frontdesk', 'frontdesk123')}"})
    assert r.status_code == 201, r.text
    return r.json()


def test_the_desk_checks_a_parcel_in_and_sees_its_code_once(page: Any, room: ControlRoom
                                                            ) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "frontdesk", "frontdesk123")
    # The front desk has no alarm board: its pages are the service requests and the desk.
    expect(page.get_by_test_id("view-nav")).to_be_visible()
    expect(page.get_by_test_id("nav-board")).to_have_count(0)
    page.get_by_test_id("nav-desk").click()
    expect(page.get_by_test_id("desk-view")).to_be_visible()
    expect(page.get_by_test_id("console-view")).to_be_hidden()
    expect(page.get_by_test_id("requests-view")).to_be_hidden()
    expect(page.get_by_test_id("desk-tab-checkin")).to_have_text("物品登记")

    page.get_by_test_id("checkin-unit").fill("1-2-1502")
    page.get_by_test_id("checkin-pieces").fill("2")
    page.get_by_test_id("checkin-location").fill("A-03")
    page.get_by_test_id("checkin-carrier").fill("顺丰速运")
    page.get_by_test_id("checkin-barcode").fill("SF1234567890")
    page.get_by_test_id("checkin-submit").click()

    stub = page.get_by_test_id("stub")
    expect(stub).to_be_visible()
    expect(page.get_by_test_id("stub-code")).to_have_text(re.compile(r"^\d{6}$"))
    expect(page.get_by_test_id("stub-unit")).to_have_text("1-2-1502")
    expect(page.get_by_test_id("stub-location")).to_have_text("A-03")
    expect(page.get_by_test_id("stub-pieces")).to_have_text("2")
    expect(stub).to_contain_text("只显示这一次")
    code = page.get_by_test_id("stub-code").inner_text()
    serial = page.get_by_test_id("stub-serial").inner_text()
    page.screenshot(path=str(ARTIFACTS / "desk-checkin-stub.png"))

    # The code on the stub is the one that opens the parcel at the kiosk.
    r = _kiosk(room, "lookup", {"code": code})
    assert r.status_code == 200 and r.json()["item"]["serial"] == serial

    # Written down: the code leaves the screen and is not in the register either.
    page.get_by_test_id("stub-done").click()
    expect(stub).to_be_hidden()
    page.get_by_test_id("desk-tab-register").click()
    row = page.locator(f'[data-testid="register-row"][data-serial="{serial}"]')
    expect(row).to_be_visible()
    expect(row.get_by_test_id("row-location")).to_have_text("A-03")
    assert code not in page.get_by_test_id("desk-view").inner_text()


def test_a_refused_category_shows_the_reason_and_no_stub(page: Any) -> None:
    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("checkin-unit").fill("1-1-0301")
    page.get_by_test_id("checkin-kind").select_option("deposit")
    page.get_by_test_id("checkin-location").fill("B-01")
    page.get_by_test_id("flag-perishable").check()
    page.get_by_test_id("checkin-submit").click()
    error = page.get_by_test_id("checkin-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("不予寄存")
    expect(error).to_contain_text("易腐烂")
    expect(page.get_by_test_id("stub")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "desk-checkin-refused.png"))

    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("checkin-submit")).to_have_text("Check in and tell the resident")
    page.get_by_test_id("checkin-submit").click()
    expect(error).to_contain_text("perishable")
    page.get_by_test_id("lang-toggle").click()


def test_the_desk_releases_a_parcel_against_its_stub_code(page: Any, room: ControlRoom
                                                          ) -> None:
    item = _check_in_by_api(room, "2-1-0304", "C-07")
    serial = item["item"]["serial"]
    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("desk-tab-register").click()
    row = page.locator(f'[data-testid="register-row"][data-serial="{serial}"]')
    row.get_by_test_id("release-open").click()
    form = page.get_by_test_id("release-form")
    form.get_by_test_id("release-pieces").fill("2")
    form.get_by_test_id("release-code").fill(item["code"])
    form.get_by_test_id("release-submit").click()
    # In the console's language, at the field (issue 19, item 8).
    expect(form.get_by_test_id("release-error")).to_contain_text("清点件数：件数与登记不符")
    expect(form.get_by_test_id("field-error-pieces")).to_have_text("件数与登记不符，请重新清点")
    form.get_by_test_id("release-pieces").fill("1")
    form.get_by_test_id("release-submit").click()
    expect(page.get_by_test_id("register-status")).to_contain_text(f"{serial} 已出库")
    expect(row).to_have_count(0)  # gone from the items held
    page.get_by_test_id("register-state").select_option("released")
    expect(row.get_by_test_id("row-state")).to_have_text("已领取")
    page.screenshot(path=str(ARTIFACTS / "desk-register-released.png"))
    assert _kiosk(room, "confirm", {"code": item["code"], "pieces": 1}).status_code == 410


def test_the_daily_check_reports_what_is_missing(page: Any, room: ControlRoom) -> None:
    here = _check_in_by_api(room, "1-1-0101", "D-01")["item"]["serial"]
    gone = _check_in_by_api(room, "1-1-0101", "D-02")["item"]["serial"]
    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("desk-tab-reconcile").click()
    expect(page.locator(f'[data-testid="reconcile-item"][data-serial="{gone}"]')).to_be_visible()
    for item in page.get_by_test_id("reconcile-item").all():
        if item.get_attribute("data-serial") != gone:
            item.locator("input").check()
    page.get_by_test_id("reconcile-submit").click()
    result = page.get_by_test_id("reconcile-result")
    expect(result).to_have_attribute("data-state", "missing")
    expect(result).to_contain_text(f"缺失 1 件，已上报主管：{gone}")
    assert here not in result.inner_text()
    page.screenshot(path=str(ARTIFACTS / "desk-reconciliation.png"))


def test_a_supervisor_switches_between_the_alarm_board_and_the_desk(page: Any) -> None:
    sign_in(page, "supervisor", "supervisor123")
    expect(page.get_by_test_id("console-view")).to_be_visible()
    nav = page.get_by_test_id("view-nav")
    expect(nav).to_be_visible()
    page.get_by_test_id("nav-desk").click()
    expect(page.get_by_test_id("desk-view")).to_be_visible()
    expect(page.get_by_test_id("console-view")).to_be_hidden()
    page.get_by_test_id("nav-board").click()
    expect(page.get_by_test_id("console-view")).to_be_visible()
    expect(page.get_by_test_id("desk-view")).to_be_hidden()
    page.get_by_test_id("sign-out").click()
    expect(nav).to_be_hidden()
    expect(page.get_by_test_id("desk-view")).to_be_hidden()


def test_an_operator_has_no_desk_pages(page: Any) -> None:
    sign_in(page)
    expect(page.get_by_test_id("console-view")).to_be_visible()
    # The operator reads the alarm board and the request queue, not the desk's pages.
    expect(page.get_by_test_id("nav-requests")).to_be_visible()
    expect(page.get_by_test_id("nav-desk")).to_have_count(0)


def test_the_desk_stays_signed_in_across_a_reload_and_speaks_english(page: Any) -> None:
    sign_in(page, "frontdesk", "frontdesk123")
    expect(page.get_by_test_id("desk-view")).to_be_visible()
    page.get_by_test_id("lang-toggle").click()
    page.reload()
    expect(page.get_by_test_id("desk-view")).to_be_visible()
    expect(page.get_by_test_id("login-view")).to_be_hidden()
    expect(page.get_by_test_id("desk-tab-register")).to_have_text("Register")
    page.get_by_test_id("desk-tab-register").click()
    expect(page.get_by_test_id("register-table").locator("th").first).to_have_text("No.")
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login-view")).to_be_visible()
    expect(page.get_by_test_id("desk-view")).to_be_hidden()


def test_a_desk_field_error_is_shown_at_the_field_in_the_consoles_language(page: Any) -> None:
    """Issue 19, item 8: no raw English validation text in the Chinese console; a flat typed
    with a Chinese keyboard's full-width digits and dashes, and a shelf named 'A区03', are
    taken (and kept as 1-2-1502)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("nav-desk").click()
    expect(page.get_by_test_id("desk-tab-checkin")).to_have_text("物品登记")
    page.get_by_test_id("checkin-unit").fill("1-2-1502")
    page.get_by_test_id("checkin-location").fill("A 03/左")
    page.get_by_test_id("checkin-submit").click()

    at_field = page.get_by_test_id("field-error-location")
    expect(at_field).to_be_visible()
    expect(at_field).to_have_text("只能用字母、数字、汉字和“-”，最多 16 个，例如 A-03 或 A区03")
    summary = page.get_by_test_id("checkin-error")
    expect(summary).to_have_text(re.compile(r"^存放位置：只能用字母"))
    expect(page.get_by_test_id("checkin-location")).to_have_attribute("aria-invalid", "true")
    assert "String should" not in page.get_by_test_id("desk-view").inner_text()
    expect(page.get_by_test_id("stub")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "desk-field-error-zh.png"))

    # Switching language says the same errors again in English.
    page.get_by_test_id("lang-toggle").click()
    expect(at_field).to_contain_text('letters, digits, Chinese characters and "-" only')
    expect(summary).to_have_text(re.compile(r"^Location: letters"))
    page.get_by_test_id("lang-toggle").click()
    expect(at_field).to_contain_text("只能用字母")

    # A flat that does not exist is named as the flat, in Chinese.
    page.get_by_test_id("checkin-unit").fill("9-9-9999")
    page.get_by_test_id("checkin-location").fill("A-03")
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("field-error-unit")).to_contain_text("本小区没有这个房号")
    expect(page.get_by_test_id("field-error-location")).to_have_count(0)
    expect(summary).to_have_text(re.compile(r"^房号：本小区没有这个房号"))

    # As typed on a Chinese keyboard: full-width digits and dashes, a Chinese shelf name.
    page.get_by_test_id("checkin-unit").fill("１－２－１５０２")
    page.get_by_test_id("checkin-location").fill("A区03")
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("stub")).to_be_visible()
    expect(page.get_by_test_id("stub-unit")).to_have_text("1-2-1502")
    expect(page.get_by_test_id("stub-location")).to_have_text("A区03")
    expect(summary).to_be_hidden()
    expect(page.locator(".field-error")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "desk-full-width-accepted.png"))


def test_release_and_request_forms_name_the_field_in_chinese(page: Any, room: ControlRoom
                                                             ) -> None:
    item = _check_in_by_api(room, "2-1-0304", "C-08")
    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("nav-desk").click()
    page.get_by_test_id("desk-tab-register").click()
    row = page.locator(f'[data-testid="register-row"][data-serial="{item["item"]["serial"]}"]')
    row.get_by_test_id("release-open").click()
    form = page.get_by_test_id("release-form")
    wrong = "000000" if item["code"] != "000000" else "111111"
    form.get_by_test_id("release-code").fill(wrong)
    form.get_by_test_id("release-submit").click()
    expect(form.get_by_test_id("field-error-id_number")).to_have_text(
        "取件码不对或没有取件码时，须登记领取人证件号码")
    expect(form.get_by_test_id("release-error")).to_have_text(re.compile(r"^证件号码：取件码不对"))
    expect(form.get_by_test_id("release-id")).to_have_attribute("aria-invalid", "true")
    form.get_by_test_id("release-id").fill("110101199003074514")
    form.get_by_test_id("release-collector").fill("路人甲")
    form.get_by_test_id("release-submit").click()
    expect(form.get_by_test_id("field-error-collector")).to_contain_text("领取人须是本户住户")
    expect(form.get_by_test_id("field-error-id_number")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "desk-release-field-error-zh.png"))

    # A request taken at the desk: an unknown flat is named in Chinese; a full-width one goes.
    page.get_by_test_id("nav-requests").click()
    page.get_by_test_id("new-request").click()
    new = page.get_by_test_id("new-request-form")
    new.get_by_test_id("new-unit").fill("9-9-9999")
    new.get_by_test_id("new-type").select_option("help")
    new.get_by_test_id("new-submit").click()
    expect(new.get_by_test_id("field-error-unit")).to_contain_text("本小区没有这个房号")
    expect(new.get_by_test_id("form-error")).to_have_text(re.compile(r"^房号：本小区没有这个房号"))
    page.screenshot(path=str(ARTIFACTS / "desk-request-unknown-flat-zh.png"))
    new.get_by_test_id("new-unit").fill("２－１－０３０４")
    new.get_by_test_id("new-submit").click()
    expect(new).to_be_hidden()
    expect(page.locator('[data-testid="request-row"]', has_text="2-1-0304").first).to_be_visible()
