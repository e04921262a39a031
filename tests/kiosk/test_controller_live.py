"""The kiosk's controller against a real control room process (no window): every call of
docs/api/kiosk.md as the kiosk makes it, with the desk and a butler acting through the staff
API in between."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config import Site, load_site
from kiosk.api_client import ApiClient
from kiosk.controller import KioskController
from kiosk.kiosk_api import KioskApi
from kiosk.tasks import TaskRunner
from tests.support.kiosk_controller import login_by_pin
from tests.support.kiosk_seed import DeskAndButler
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("live-cr"))
    s.start_controlroom()
    try:
        yield s
    finally:
        s.group.stop_all()


@pytest.fixture
def kiosk(stack: Stack) -> Iterator[KioskController]:
    site: Site = load_site()
    account = site.kiosks["kiosk-1"]
    api = KioskApi(ApiClient(stack.api_url, account.id, account.password))
    c = KioskController(site, "kiosk-1", api, TaskRunner(lambda fn: fn(), inline=True))
    c.start()
    yield c
    c.end_session()
    api.close()


def test_public_screens_show_the_control_rooms_notices_and_numbers(
        kiosk: KioskController) -> None:
    assert kiosk.info is not None and kiosk.info["hotline"] == "400-820-8820"
    assert kiosk.view().notices, "the demo notices"
    kiosk.open_contacts()
    assert [r.value for r in kiosk.view().rows] == ["400-820-8820", "119", "120", "110"]


def test_order_report_and_follow_a_request(kiosk: KioskController, stack: Stack) -> None:
    kiosk.touch_start()
    kiosk.open_menu("value-added")
    kiosk.order("plumbing")
    login_by_pin(kiosk, "1-2-1502", "246810")
    assert kiosk.screen == "confirm" and kiosk.view().price == "¥80"
    kiosk.confirm_order()
    assert kiosk.screen == "message" and kiosk.view().ok, kiosk.view()
    assert kiosk.view().number.startswith("SR-")

    kiosk.open_report()
    assert kiosk.screen == "report"
    kiosk.report_choose("taps")
    kiosk.report_send("")
    assert kiosk.screen == "message" and kiosk.view().ok, kiosk.view()

    DeskAndButler(stack.api_url).work_on_latest_repair("1-2-1502")
    kiosk.open_requests()
    repair = next(r for r in kiosk.view().rows if r.title == "水龙头、水管")
    assert repair.value == "处理中"
    kiosk.open_request(repair.id)
    detail = kiosk.view()
    assert [r.title for r in detail.timeline][:3] == ["已受理", "已派单", "处理中"]
    assert detail.next_step.startswith("下一步：")
    kiosk.open_fees()
    rows = kiosk.view().rows
    # the paid order first, pending until the work is done; then the monthly statements
    assert (rows[0].title, rows[0].value) == ("有偿服务 · 水管维修", "¥80.00  待计费")
    assert len(rows) > 1 and "账单" in rows[1].title


def test_pickup_by_code_and_the_wrong_code_lockout(kiosk: KioskController, stack: Stack
                                                   ) -> None:
    code = DeskAndButler(stack.api_url).check_in_parcel("1-1-0101", "B-07")
    login_by_pin(kiosk, "1-1-0101", "808080")
    kiosk.open_items()
    assert kiosk.view().rows[0].detail == "凭取件码在本机取件"
    kiosk.logout()

    kiosk.code_scanned(code)
    assert kiosk.screen == "found" and kiosk.view().location == "B-07"
    kiosk.pickup_confirm()
    assert kiosk.view().title == "取件完成"

    kiosk.open_pickup()
    for _ in range(10):
        for k in "000001":
            kiosk.pickup_key(k)
        kiosk.pickup_find()
    assert kiosk.view().locked and kiosk.view().countdown.endswith("后可再试")


def test_a_wrong_pin_counts_down_the_tries(kiosk: KioskController) -> None:
    login_by_pin(kiosk, "2-1-0101", "999999")
    assert kiosk.view().error == "房号或密码不正确，还可尝试 4 次"
    kiosk.card_read("04B1010101")
    assert kiosk.screen == "account" and kiosk.view().greeting == "您好，孙*"


