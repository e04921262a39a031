"""The kiosk's behaviour without a window: the controller against the contract's stand-in
(tests/support/fake_kiosk_api/) over an in-memory transport, with time passed in."""

from __future__ import annotations

from typing import Any

import httpx

from config import Site
from kiosk.api_client import ApiClient
from kiosk.controller import KioskController
from kiosk.flows.core import PUBLIC_REFRESH_S
from kiosk.keypad import DELETE
from kiosk.kiosk_api import KioskApi
from kiosk.tasks import TaskRunner
from tests.support.fake_kiosk_api import DESK_CODE, PICKUP_CODE, FakeKioskApi
from tests.support.kiosk_controller import Clock, login_by_pin


def press(kiosk: KioskController, keys: str, pad: Any) -> None:
    for k in keys:
        pad(k)


def test_attract_shows_notices_and_no_one_is_logged_in(kiosk: KioskController) -> None:
    view = kiosk.view()
    assert kiosk.screen == "attract"
    assert view.notices[0].title == "11月25日停水通知"
    assert view.banner == ""
    assert kiosk.chrome().greeting == ""


def test_an_incident_shows_a_banner_on_the_attract_screen(site: Site, clock: Clock) -> None:
    fake = FakeKioskApi(site, incident=True)
    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(fake.handle))
    c = KioskController(site, "kiosk-1", KioskApi(client),
                        TaskRunner(lambda fn: fn(), inline=True), clock=clock, lang="en")
    c.start()
    assert c.view().banner.startswith("Building alert: Gas alarm")


def test_the_attract_screen_shows_an_incident_that_starts_later_without_a_touch(
        site: Site, clock: Clock) -> None:
    fake = FakeKioskApi(site)
    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(fake.handle))
    c = KioskController(site, "kiosk-1", KioskApi(client),
                        TaskRunner(lambda fn: fn(), inline=True), clock=clock, lang="en")
    c.start()
    assert c.view().banner == ""
    fake.incident = True  # a gas incident in the kiosk's building, after the kiosk started
    clock.t += PUBLIC_REFRESH_S - 1
    c.tick()
    assert c.view().banner == ""
    clock.t += 1
    c.tick()
    assert c.view().banner.startswith("Building alert: Gas alarm")
    assert c.screen == "attract"


def placed(fake: FakeKioskApi, unit: str = "1-2-1502") -> list[str]:
    """Numbers of the requests the stand-in control room holds for `unit`."""
    return [str(q["number"]) for q in fake.requests.get(unit, [])]


def test_ordering_asks_for_a_login_then_confirms_the_price_then_places_the_order(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    before = placed(fake)
    kiosk.touch_start()
    kiosk.open_menu("value-added")
    kiosk.open_item("plumbing")
    assert kiosk.view().order == "登录后下单"
    kiosk.order("plumbing")
    assert kiosk.screen == "login"
    press(kiosk, "1-2-1502", kiosk.login_key)
    kiosk.login_submit()
    press(kiosk, "246810", kiosk.login_key)
    kiosk.login_submit()

    # logged in: the paid item is not ordered yet, the resident confirms the price first
    assert kiosk.screen == "confirm" and placed(fake) == before
    confirm = kiosk.view()
    assert (confirm.title, confirm.price) == ("水管维修", "¥80")
    assert confirm.note == "这是有偿服务：确认下单即表示同意支付 ¥80。"
    assert (confirm.confirm, confirm.cancel) == ("确认下单", "取消")
    kiosk.confirm_order()

    assert kiosk.screen == "message"
    done = kiosk.view()
    assert done.ok and done.number.startswith("SR-")
    assert placed(fake) == [done.number, *before]
    assert kiosk.chrome().greeting == "您好，陈*"


def test_cancelling_a_paid_order_places_nothing(kiosk: KioskController,
                                                fake: FakeKioskApi) -> None:
    login_by_pin(kiosk)
    before = placed(fake)
    kiosk.lang = "en"
    kiosk.open_menu("value-added")
    kiosk.open_item("home-cleaning")
    kiosk.order("home-cleaning")
    confirm = kiosk.view()
    assert kiosk.screen == "confirm" and kiosk.chrome().title == "Please confirm your order"
    assert confirm.price == "¥150"
    assert confirm.note == "This is a paid service: by confirming you agree to pay ¥150."
    kiosk.back()  # "Cancel"
    assert kiosk.screen == "item" and placed(fake) == before
    kiosk.confirm_order()  # a stray call from the item screen orders nothing
    assert kiosk.screen == "item" and placed(fake) == before


def test_an_item_priced_on_request_is_confirmed_too(kiosk: KioskController) -> None:
    login_by_pin(kiosk)
    kiosk.order("moving")
    assert kiosk.screen == "confirm"
    assert kiosk.view().price == "面议" and "价格面议" in kiosk.view().note


def test_a_free_item_is_ordered_with_one_tap(kiosk: KioskController,
                                             fake: FakeKioskApi) -> None:
    login_by_pin(kiosk)
    kiosk.open_menu("assistance")
    kiosk.order("trolley")
    assert kiosk.screen == "message" and kiosk.view().ok
    assert placed(fake)[0] == kiosk.view().number


def test_a_wrong_pin_says_how_many_tries_are_left_and_the_fifth_locks(
        kiosk: KioskController) -> None:
    login_by_pin(kiosk, pin="000000")
    assert kiosk.view().error == "房号或密码不正确，还可尝试 4 次"
    for _ in range(4):
        press(kiosk, "000000", kiosk.login_key)
        kiosk.login_submit()
    assert kiosk.view().error == "尝试次数过多，请 5 分钟 后再试"
    assert not kiosk.logged_in


def test_a_code_sent_by_sms_logs_in_and_wrong_codes_count_as_wrong_pins(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    kiosk.open_login()
    kiosk.login_send_code()  # no flat yet
    assert kiosk.view().error == "请先输入房号" and "1-1-0301" not in fake.codes_sent
    press(kiosk, "1-1-0301", kiosk.login_key)
    kiosk.login_send_code()
    view = kiosk.view()
    assert (view.error, view.pin_label, view.active) == (
        "验证码已发送到本房登记的手机（5 分钟内有效）", "验证码", "pin")
    press(kiosk, "000000" if fake.codes_sent["1-1-0301"] != "000000" else "000001",
          kiosk.login_key)
    kiosk.login_submit()
    assert kiosk.view().error == "验证码不正确，还可尝试 4 次" and not kiosk.logged_in
    press(kiosk, fake.codes_sent["1-1-0301"], kiosk.login_key)
    kiosk.login_submit()
    assert kiosk.logged_in and kiosk.screen == "account"


def test_typing_another_flat_after_a_code_goes_back_to_the_pin(kiosk: KioskController) -> None:
    kiosk.open_login()
    press(kiosk, "1-1-0301", kiosk.login_key)
    kiosk.login_send_code()
    kiosk.login_select("flat")
    kiosk.login_key(DELETE)
    assert kiosk.view().pin_label == "密码"


def test_the_error_line_follows_a_change_of_language(kiosk: KioskController) -> None:
    login_by_pin(kiosk, pin="000000")
    assert kiosk.view().error == "房号或密码不正确，还可尝试 4 次"
    kiosk.toggle_lang()
    assert kiosk.view().error == "Flat or PIN not right: 4 tries left"
    for _ in range(4):
        press(kiosk, "000000", kiosk.login_key)
        kiosk.login_submit()
    assert kiosk.view().error == "Too many tries: try again in 5 min"
    kiosk.toggle_lang()
    assert kiosk.view().error == "尝试次数过多，请 5 分钟 后再试"


def test_the_pickup_error_follows_a_change_of_language(kiosk: KioskController) -> None:
    kiosk.open_pickup()
    press(kiosk, "111111", kiosk.pickup_key)
    kiosk.pickup_find()
    assert kiosk.view().error == "取件码不正确，还可尝试 9 次"
    kiosk.toggle_lang()
    assert kiosk.view().error == "That code is not right: 9 tries left"


def test_a_card_logs_in_from_any_screen_and_opens_the_account(kiosk: KioskController) -> None:
    kiosk.touch_start()
    kiosk.card_read("04a3150201")
    assert kiosk.screen == "account"
    account = kiosk.view()
    assert account.greeting == "您好，陈*"
    assert "-¥320.50" in account.balance


def test_an_unknown_card_is_refused_on_the_login_screen(kiosk: KioskController) -> None:
    kiosk.card_read("FFFF")
    assert kiosk.screen == "login"
    assert kiosk.view().error == "无法识别此卡，请输入房号和密码"


def test_requests_show_the_timeline_next_step_and_promise(kiosk: KioskController) -> None:
    kiosk.lang = "en"
    login_by_pin(kiosk)
    kiosk.open_requests()
    rows = kiosk.view().rows
    assert rows[0].title == "Leaking tap" and rows[0].value == "In progress"
    assert "Promised by" in rows[0].detail
    kiosk.open_request(rows[0].id)
    detail = kiosk.view()
    assert [r.title for r in detail.timeline] == ["Received", "Assigned", "In progress"]
    assert detail.next_step.startswith("Next: The plumber")
    assert detail.promised.startswith("Promised by")


def test_fees_and_held_items(kiosk: KioskController) -> None:
    login_by_pin(kiosk)
    kiosk.open_fees()
    fees = kiosk.view()
    assert fees.rows[0].title == "2026-11 账单" and "未缴" in fees.rows[0].value
    kiosk.open_items()
    items = kiosk.view()
    assert [r.detail for r in items.rows] == ["凭取件码在本机取件", "请带身份证到服务台领取"]
    assert all(PICKUP_CODE not in r.title + r.detail for r in items.rows)


def test_report_a_repair_category_first_text_optional(kiosk: KioskController) -> None:
    login_by_pin(kiosk)
    kiosk.open_report()
    assert kiosk.screen == "report" and not kiosk.view().can_send
    kiosk.report_choose("water")
    assert kiosk.view().can_send
    kiosk.report_send("")
    assert kiosk.screen == "message" and kiosk.view().number.startswith("SR-")


def test_pickup_by_code_shows_where_then_confirms(kiosk: KioskController) -> None:
    kiosk.open_pickup()
    press(kiosk, PICKUP_CODE, kiosk.pickup_key)
    kiosk.pickup_find()
    assert kiosk.screen == "found"
    assert kiosk.view().location == "A-03"
    assert "1-2-15**" in kiosk.view().lines[1]
    kiosk.pickup_confirm()
    assert kiosk.screen == "message" and kiosk.view().title == "取件完成"
    kiosk.code_scanned(PICKUP_CODE)  # the same slip again
    assert kiosk.view().ok is False and "已于" in kiosk.view().body


def test_a_hand_over_is_sent_to_the_desk(kiosk: KioskController) -> None:
    kiosk.code_scanned(DESK_CODE)
    assert kiosk.view().body == "此物品需凭身份证到服务台领取"


def test_ten_wrong_codes_lock_pickup_with_a_countdown(kiosk: KioskController,
                                                      clock: Clock) -> None:
    kiosk.open_pickup()
    for _ in range(10):
        press(kiosk, "111111", kiosk.pickup_key)
        kiosk.pickup_find()
    view = kiosk.view()
    assert view.locked and view.countdown == "2:00 后可再试"
    clock.t += 61.5
    assert kiosk.view().countdown == "0:59 后可再试"
    press(kiosk, "4", kiosk.pickup_key)
    assert kiosk.view().code == ""  # the keypad is dead while locked
    clock.t += 60
    assert not kiosk.view().locked


def test_idle_ends_the_session_and_returns_to_attract(kiosk: KioskController, clock: Clock,
                                                      fake: FakeKioskApi) -> None:
    login_by_pin(kiosk)
    kiosk.open_account()
    clock.t += 59
    kiosk.tick()
    assert kiosk.screen == "account"
    clock.t += 1
    kiosk.tick()
    assert kiosk.screen == "attract" and not kiosk.logged_in
    assert kiosk.me == {} and kiosk.chrome().greeting == ""
    assert len(fake.deleted_sessions) == 1 and fake.sessions == {}


def test_idle_returns_to_the_kiosks_language_and_normal_text(kiosk: KioskController,
                                                            clock: Clock) -> None:
    kiosk.touch_start()
    kiosk.toggle_lang()
    kiosk.toggle_large_text()
    login_by_pin(kiosk, pin="000000")
    assert kiosk.view().error.startswith("Flat or PIN not right")
    clock.t += 60
    kiosk.tick()
    assert kiosk.screen == "attract"
    assert kiosk.lang == "zh" and not kiosk.large_text
    assert kiosk.view().prompt == "请触摸屏幕开始"
    assert kiosk.login_error is None  # the last person's error is gone too


def test_a_language_chosen_on_the_attract_screen_alone_is_reset_too(kiosk: KioskController,
                                                                   clock: Clock) -> None:
    kiosk.toggle_lang()
    clock.t += 59
    kiosk.tick()
    assert kiosk.lang == "en"
    clock.t += 1
    kiosk.tick()
    assert kiosk.lang == "zh" and kiosk.screen == "attract"


def test_a_kiosk_started_in_english_returns_to_english(site: Site, fake: FakeKioskApi,
                                                       clock: Clock) -> None:
    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(fake.handle))
    c = KioskController(site, "kiosk-1", KioskApi(client),
                        TaskRunner(lambda fn: fn(), inline=True), idle_s=60, clock=clock,
                        lang="en")
    c.start()
    c.toggle_lang()
    c.logout()
    assert c.lang == "en"


def test_offline_refuses_with_the_hotline_and_recovers(kiosk: KioskController) -> None:
    kiosk.touch_start()
    kiosk.health(False)
    assert kiosk.online  # one lost probe is a blip
    kiosk.health(False)
    assert kiosk.chrome().offline.startswith("暂时无法连接服务中心")
    kiosk.open_menu("value-added")
    kiosk.order("plumbing")
    refusal = kiosk.view()
    assert kiosk.screen == "message" and not refusal.ok
    assert "400-820-8820" in refusal.body and "没有提交" in refusal.body
    kiosk.health(True)
    assert kiosk.online and kiosk.chrome().offline == ""


def test_a_call_without_answer_turns_the_kiosk_offline_at_once(site: Site, clock: Clock) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = ApiClient("http://cr", "kiosk-1", "x", transport=httpx.MockTransport(down))
    c = KioskController(site, "kiosk-1", KioskApi(client),
                        TaskRunner(lambda fn: fn(), inline=True), clock=clock)
    c.start()
    c.open_pickup()
    press(c, PICKUP_CODE, c.pickup_key)
    c.pickup_find()
    assert not c.online and c.screen == "message" and not c.view().ok


def test_a_late_answer_for_an_ended_session_is_dropped(site: Site, fake: FakeKioskApi,
                                                       clock: Clock) -> None:
    held: list[Any] = []
    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(fake.handle))

    class Later:
        def submit(self, call: Any, done: Any, failed: Any) -> None:
            result = call()
            held.append(lambda: done(result))

    c = KioskController(site, "kiosk-1", KioskApi(client), Later(), clock=clock)
    c.session = KioskApi(client).login_pin("1-2-1502", "246810")
    c.api.session = c.session  # type: ignore[union-attr]
    c.open_account()
    c.logout()
    for deliver in held:
        deliver()
    assert c.screen == "attract" and c.me == {}


def test_a_resident_still_touching_keeps_the_session_alive(kiosk: KioskController,
                                                           clock: Clock,
                                                           fake: FakeKioskApi) -> None:
    login_by_pin(kiosk)
    kiosk.open_fees()
    for _ in range(5):  # three minutes of reading and touching, no call of their own
        clock.t += 40
        kiosk.touched()
        kiosk.tick()
    assert kiosk.logged_in and kiosk.screen == "fees"
    assert len(fake.sessions) == 1


def test_states_are_labelled_from_the_vocabulary_fetched_again_when_missed_at_start(
        site: Site, fake: FakeKioskApi, clock: Clock) -> None:
    """The kiosk keeps no state labels: it reads GET /api/requests/vocabulary. Missed at
    start, it asks again with the next refresh; until then a state shows as its code."""
    asked: list[str] = []

    def first_fails(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/requests/vocabulary":
            asked.append(request.url.path)
            if len(asked) == 1:
                return httpx.Response(500, json={"detail": "not yet"})
        return fake.handle(request)

    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(first_fails))
    c = KioskController(site, "kiosk-1", KioskApi(client),
                        TaskRunner(lambda fn: fn(), inline=True), clock=clock, lang="en")
    c.start()
    assert len(asked) == 1 and not c.vocabulary.loaded
    fake.requests["1-2-1502"][1]["state"] = "return_visit"
    login_by_pin(c)
    c.open_requests()
    assert [r.value for r in c.view().rows] == ["in_progress", "return_visit"]
    c.touch_start()  # the next refresh asks again
    c.open_requests()
    served = httpx.Client(transport=httpx.MockTransport(fake.handle)).get(
        "http://cr/api/requests/vocabulary", headers={"Authorization": "Bearer tok-kiosk-1"}
    ).json()["states"]
    assert len(asked) == 2
    assert [r.value for r in c.view().rows] == [served["in_progress"]["en"],
                                                served["return_visit"]["en"]]
    c.touch_start()
    assert len(asked) == 2  # once it has the words it does not ask again


def test_a_card_refused_while_card_login_is_paused_says_to_use_flat_and_pin(
        fake: FakeKioskApi, clock: Clock) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/kiosk/session" and b'"card"' in request.content:
            return httpx.Response(429, headers={"Retry-After": "120"}, json={
                "detail": "card login is paused", "code": "cards_paused",
                "retry_after_s": 120})
        return fake.handle(request)

    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(handle))
    c = KioskController(fake.site, "kiosk-1", KioskApi(client),
                        TaskRunner(lambda fn: fn(), inline=True), clock=clock)
    c.start()
    c.card_read("04A3150201")
    assert c.screen == "login" and not c.logged_in
    assert c.view().error == "本机刷卡登录暂停 2 分钟，请输入房号和密码"
    login_by_pin(c)  # the keypad still works
    assert c.logged_in
