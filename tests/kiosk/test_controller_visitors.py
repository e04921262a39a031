"""A visitor announced at the kiosk (issue 16): the times offered, what is sent, and the
confirmation with the flat's visitors expected; the controller against the contract's stand-in
(tests/support/fake_kiosk_api/), the wall clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from config import Site
from kiosk.api_client import ApiClient
from kiosk.controller import KioskController
from kiosk.flows.visitors import announce_body, can_announce, open_days, open_slots
from kiosk.kiosk_api import KioskApi
from kiosk.tasks import TaskRunner
from tests.support.fake_kiosk_api import FakeKioskApi
from tests.support.kiosk_controller import controller, log_in_for

TZ = ZoneInfo("Asia/Shanghai")


def local(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """A time on the site's clock, today (the real today, so the stand-in's 7-day window
    holds) plus `days`."""
    today = datetime.now(TZ).date() + timedelta(days=days)
    return datetime.combine(today, time(hour, minute), tzinfo=TZ)


class WallClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at.astimezone(UTC)


@pytest.fixture
def wall() -> WallClock:
    return WallClock(local(9, 30))


@pytest.fixture
def kiosk(fake: FakeKioskApi, wall: WallClock) -> KioskController:
    c = controller(fake)
    c.wall_clock = wall
    return c


def visitor_logged_in(kiosk: KioskController) -> None:
    """Home → announce a visitor, which asks for the flat and PIN first."""
    kiosk.touch_start()
    assert "访客登记" in [a.title for a in kiosk.view().actions]
    log_in_for(kiosk, "visitor")


def test_only_times_still_ahead_are_offered() -> None:
    assert open_slots("today", local(9, 30), TZ) == (10, 12, 14, 16, 18, 20)
    assert open_slots("today", local(10, 0), TZ) == (12, 14, 16, 18, 20)
    assert open_slots("tomorrow", local(23, 0), TZ) == (8, 10, 12, 14, 16, 18, 20)
    assert open_days(local(9, 30), TZ) == ("today", "tomorrow")
    # After the last time of the day only tomorrow is offered.
    assert open_days(local(20, 30), TZ) == ("tomorrow",)


def test_nothing_is_sent_without_a_name_and_a_time_still_ahead() -> None:
    now = local(9, 30)
    assert can_announce("王芳", "today", 10, now, TZ)
    assert not can_announce("  ", "today", 10, now, TZ)
    assert not can_announce("王芳", "today", 0, now, TZ)
    assert not can_announce("王芳", "today", 8, now, TZ)  # already past
    assert not can_announce("x" * 65, "tomorrow", 8, now, TZ)


def test_the_time_is_sent_on_the_sites_clock_and_the_purpose_in_both_languages() -> None:
    body = announce_body(" 王芳 ", "tomorrow", 10, "carer", local(23, 10), TZ)
    assert body == {"name": "王芳", "expected_at": local(10, days=1).isoformat(),
                    "purpose": "护工 / 家政 / Carer or home help"}
    assert body["expected_at"].endswith("T10:00:00+08:00")
    assert announce_body("Li", "today", 20, "", local(9), TZ)["purpose"] == ""


def test_a_visitor_announced_is_confirmed_with_the_flats_visitors_expected(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    visitor_logged_in(kiosk)
    form = kiosk.view()
    assert [d.title for d in form.days] == ["今天", "明天"] and form.days[0].selected
    assert [t.title for t in form.times] == ["10:00", "12:00", "14:00", "16:00", "18:00",
                                             "20:00"]
    assert not form.can_send and not any(t.selected for t in form.times)

    kiosk.visitor_text("王芳")
    assert not kiosk.view().can_send  # no time yet
    kiosk.visitor_choose_day("tomorrow")
    assert kiosk.view().times[0].title == "08:00"
    kiosk.visitor_choose_time("10")
    kiosk.visitor_choose_purpose("family")
    assert kiosk.view().can_send
    assert [p.title for p in kiosk.view().purposes if p.selected] == ["探亲访友"]
    kiosk.visitor_send("王芳")

    assert len(fake.visitors) == 1
    told = fake.visitors[0]
    assert (told["unit"], told["name"], told["purpose"]) == (
        "1-2-1502", "王芳", "探亲访友 / Family or friends")
    assert datetime.fromisoformat(told["expected_at"]) == local(10, days=1)
    done = kiosk.view()
    at = f"{local(10, days=1):%Y-%m-%d} 10:00"
    assert kiosk.screen == "visitors"
    assert (done.told, done.announced) == ("已通知前台", f"王芳  ·  {at}")
    assert [(r.title, r.value) for r in done.rows] == [("王芳", at)]
    kiosk.toggle_lang()
    assert kiosk.view().told == "The front desk has been told"
    assert kiosk.view().heading == "Visitors expected at your flat"
    assert kiosk.chrome().title == "Announce a visitor"


def test_the_purpose_is_optional_and_a_second_touch_takes_it_back(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    visitor_logged_in(kiosk)
    kiosk.visitor_choose_purpose("delivery")
    kiosk.visitor_choose_purpose("delivery")
    assert not any(p.selected for p in kiosk.view().purposes)
    kiosk.visitor_choose_time("12")
    kiosk.visitor_send("Li Lei")
    assert fake.visitors[0]["purpose"] == ""
    assert datetime.fromisoformat(fake.visitors[0]["expected_at"]) == local(12)


def test_a_time_that_passed_while_the_form_was_open_is_not_sent(
        kiosk: KioskController, fake: FakeKioskApi, wall: WallClock) -> None:
    wall.at = local(9, 55)
    visitor_logged_in(kiosk)
    kiosk.visitor_choose_time("10")
    wall.at = local(10, 5)
    kiosk.visitor_send("王芳")
    assert fake.visitors == [] and kiosk.screen == "visitor"
    assert not kiosk.view().can_send and kiosk.view().times[0].title == "12:00"


def test_late_in_the_evening_the_form_opens_on_tomorrow(kiosk: KioskController,
                                                        wall: WallClock) -> None:
    wall.at = local(21, 0)
    visitor_logged_in(kiosk)
    assert [(d.title, d.selected) for d in kiosk.view().days] == [("明天", True)]


def test_offline_the_form_is_refused_with_the_hotline(kiosk: KioskController) -> None:
    visitor_logged_in(kiosk)
    kiosk.go_home()
    kiosk.health(False)
    kiosk.health(False)
    kiosk.open("visitor")
    refusal = kiosk.view()
    assert kiosk.screen == "message" and not refusal.ok
    assert "400-820-8820" in refusal.body and "没有提交" in refusal.body


def test_the_announcement_is_confirmed_even_when_the_list_cannot_be_read(
        site: Site, fake: FakeKioskApi, wall: WallClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if (request.method, request.url.path) == ("GET", "/api/kiosk/visitors"):
            return httpx.Response(500, json={"detail": "database busy"})
        return fake.handle(request)

    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(handler))
    c = KioskController(site, "kiosk-1", KioskApi(client),
                        TaskRunner(lambda fn: fn(), inline=True), idle_s=60)
    c.wall_clock = wall
    c.start()
    visitor_logged_in(c)
    c.visitor_choose_time("14")
    c.visitor_send("王芳")
    assert [v["name"] for v in fake.visitors] == ["王芳"]
    done = c.view()
    assert c.screen == "visitors" and done.told == "已通知前台"
    assert [r.title for r in done.rows] == ["王芳"]
