"""Collecting a held item with the resident card, and paid orders under my fees, without a
window: the controller against the contract's stand-in (tests/support/fake_kiosk_api/), and
the list builders with plain values."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kiosk.account_views import held_items_view, my_fees_view
from kiosk.controller import KioskController
from tests.support.fake_kiosk_api import PICKUP_CODE, FakeKioskApi
from tests.support.kiosk_controller import login_by_pin

CARD = "04a3150201"  # 1-2-1502
TZ = ZoneInfo("Asia/Shanghai")


def test_after_a_card_login_a_held_parcel_is_collected_from_my_items(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    kiosk.touch_start()
    kiosk.card_read(CARD)
    kiosk.open_items()
    items = kiosk.view()
    assert items.summary == "已刷住户卡登录：点「取件」即可领取"
    parcel, handover = items.rows
    assert (parcel.value, parcel.detail, parcel.id) == ("取件", "可在本机刷卡取件 · 1 件", "11")
    assert handover.id == "" and handover.detail == "请带身份证到服务台领取"
    assert all(PICKUP_CODE not in r.title + r.detail for r in items.rows)

    kiosk.open_held(handover.id)  # not collectible here: nothing opens
    assert kiosk.screen == "items"
    kiosk.open_held(parcel.id)
    assert kiosk.screen == "found"
    found = kiosk.view()
    assert found.location == "A-03" and found.confirm == "确认已取 1 件"
    assert "房号 1-2-15**" in found.lines
    kiosk.back()
    assert kiosk.screen == "items"  # back to my items, not to the code keypad

    kiosk.open_held(parcel.id)
    kiosk.pickup_confirm()
    assert kiosk.screen == "message" and kiosk.view().title == "取件完成"
    assert kiosk.view().ok
    assert fake.items[0]["released_at"] is not None


def test_a_pin_login_sees_the_items_and_is_told_to_use_the_code_or_the_card(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    login_by_pin(kiosk)
    kiosk.open_items()
    items = kiosk.view()
    assert items.summary == "请凭取件码取件，或刷住户卡登录后在此直接取件"
    assert [r.id for r in items.rows] == ["", ""]
    assert [r.detail for r in items.rows] == ["凭取件码在本机取件", "请带身份证到服务台领取"]
    kiosk.open_held("11")
    assert kiosk.screen == "items" and fake.items[0]["released_at"] is None


def test_a_card_on_the_pickup_screen_opens_my_held_items(kiosk: KioskController) -> None:
    kiosk.touch_start()
    kiosk.open_pickup()
    assert kiosk.view().scan_hint == "也可扫描取件单，或在读卡区刷住户卡取件"
    kiosk.card_read(CARD)
    assert kiosk.screen == "items" and kiosk.view().rows[0].value == "取件"


def test_a_code_pickup_after_a_card_login_still_confirms_with_the_code(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    kiosk.card_read(CARD)
    kiosk.code_scanned(PICKUP_CODE)
    assert kiosk.screen == "found"
    kiosk.back()
    assert kiosk.screen == "pickup"
    kiosk.code_scanned(PICKUP_CODE)
    kiosk.pickup_confirm()
    assert kiosk.view().title == "取件完成" and fake.items[0]["released_at"] is not None


def test_held_items_in_english_and_none_collectible_has_no_hint() -> None:
    desk_only = [{"id": 5, "serial": "H-1", "kind": "key", "pieces": 1, "where": "desk"}]
    assert held_items_view(desk_only, TZ, "en", by_card=True).summary == ""
    assert held_items_view(desk_only, TZ, "en", by_card=False).summary == ""
    parcel = [{"id": 6, "serial": "P-1", "kind": "parcel", "pieces": 2, "where": "kiosk"}]
    row = held_items_view(parcel, TZ, "en", by_card=True).rows[0]
    assert (row.value, row.detail) == ("Collect", "Collect here by card · 2 pieces")


FEES = {
    "balance": -80.0, "arrears": 0.0, "currency": "CNY", "payments": [],
    "statements": [{"period": "2026-11", "charges": [
        {"label_zh": "物业费", "label_en": "Management fee", "amount": 280.5}],
        "paid": 280.5, "due": "2026-11-15", "status": "paid"}],
    "order_charges": [
        {"request_id": 9, "request_number": "SR-20261122-0009", "label_zh": "家庭保洁",
         "label_en": "Home cleaning", "amount": 150.0, "state": "void", "status": "void",
         "due": None, "paid": 0.0},
        {"request_id": 8, "request_number": "SR-20261122-0008", "label_zh": "水管维修",
         "label_en": "Plumbing", "amount": 80.0, "state": "billed", "status": "unpaid",
         "due": "2026-12-22", "paid": 0.0},
        {"request_id": 7, "request_number": "SR-20261122-0007", "label_zh": "电路维修",
         "label_en": "Electrical", "amount": 80.0, "state": "pending", "status": "pending",
         "due": None, "paid": 0.0},
    ],
}


def test_paid_orders_show_first_under_my_fees_pending_billed_and_cancelled() -> None:
    view = my_fees_view(FEES, "zh")
    assert [(r.title, r.detail, r.value) for r in view.rows[:3]] == [
        ("有偿服务 · 家庭保洁", "SR-20261122-0009  ·  订单已取消，不收费", "¥150.00  已取消"),
        ("有偿服务 · 水管维修", "SR-20261122-0008  ·  到期 2026-12-22", "¥80.00  未缴"),
        ("有偿服务 · 电路维修", "SR-20261122-0007  ·  服务完成后计费", "¥80.00  待计费"),
    ]
    assert view.rows[3].title == "2026-11 账单"
    assert view.summary == "账户余额  -¥80.00"
    en = my_fees_view(FEES, "en").rows[2]
    assert (en.title, en.value) == ("Paid service · Electrical", "¥80.00  Pending")
    assert en.detail.endswith("billed when the service is done")


def test_an_account_without_orders_is_shown_as_before() -> None:
    plain = {k: v for k, v in FEES.items() if k != "order_charges"}
    assert [r.title for r in my_fees_view(plain, "zh").rows] == ["2026-11 账单"]
