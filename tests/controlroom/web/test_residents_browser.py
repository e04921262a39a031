"""The resident register page in a real browser (issue 16, acceptance 1, first line): a move-in
registered at the desk, after which the new resident logs in at the kiosk (through the kiosk's
login API, the same call the kiosk app makes); an import's dry run naming a refused row."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from tests.support.browser import ARTIFACTS, CHROMIUM, ControlRoom, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect


def kiosk_login(room: ControlRoom, **body: str) -> httpx.Response:
    return httpx.post(f"{room.base_url}/api/kiosk/session", json=body, timeout=10, headers={
        "Authorization": f"Bearer {room.token('kiosk-1', 'kiosk1-secret')}"})


def test_a_move_in_at_the_desk_then_the_new_resident_logs_in_at_the_kiosk(
        page: Any, room: ControlRoom) -> None:
    assert kiosk_login(room, method="card", card="04D7000001").status_code == 401
    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("nav-residents").click()
    view = page.get_by_test_id("residents-view")
    expect(view).to_be_visible()
    expect(page.get_by_test_id("desk-view")).to_be_hidden()
    page.get_by_test_id("movein-unit").fill("1-1-0204")
    page.get_by_test_id("movein-name").fill("赵雪梅")
    page.get_by_test_id("movein-phone").fill("139-2222-0204")
    page.get_by_test_id("movein-card").fill("04d7000001")
    page.get_by_test_id("movein-contacts").fill("女儿:赵琳:138-0000-0204")
    page.get_by_test_id("movein-elderly").check()
    page.get_by_test_id("movein-submit").click()
    expect(page.get_by_test_id("res-status")).to_have_text("赵雪梅 已登记入住 1-1-0204")
    row = page.locator('[data-testid="res-row"][data-unit="1-1-0204"]')
    expect(row).to_contain_text("04D7000001")
    expect(row).to_contain_text("女儿:赵琳:138-0000-0204")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "residents-move-in.png"), full_page=True)

    r = kiosk_login(room, method="card", card="04D7000001")
    assert r.status_code == 201, r.text
    assert r.json()["unit"] == "1-1-0204" and r.json()["name_masked"] == "赵*"


def test_an_import_dry_run_lists_the_refused_row_and_saves_nothing(
        page: Any, room: ControlRoom, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["房号", "姓名", "电话"])
    sheet.append(["1-1-0302", "钱多多", "139-3333-0302"])
    sheet.append(["9-9-9999", "孙小空", "139-3333-9999"])
    buf = io.BytesIO()
    book.save(buf)
    path = tmp_path / "新住户.xlsx"
    path.write_bytes(buf.getvalue())

    sign_in(page, "frontdesk", "frontdesk123")
    page.get_by_test_id("nav-residents").click()
    page.get_by_test_id("import-file").set_input_files(str(path))
    page.get_by_test_id("import-dry").click()
    refused = page.get_by_test_id("import-refused-row")
    expect(refused).to_have_count(1)
    expect(refused).to_have_attribute("data-row", "3")
    expect(refused).to_contain_text("9-9-9999")
    expect(page.get_by_test_id("res-status")).to_contain_text("新增 1")
    page.screenshot(path=str(ARTIFACTS / "residents-import-dry-run.png"), full_page=True)
    expect(page.locator('[data-testid="res-row"][data-unit="1-1-0302"]')).to_have_count(0)

    page.get_by_test_id("import-go").click()
    expect(page.locator('[data-testid="res-row"][data-unit="1-1-0302"]')).to_have_count(1)
