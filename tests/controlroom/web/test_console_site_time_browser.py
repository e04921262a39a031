"""Issue 19, items 9 to 11, in a real browser: times in the site's zone and one format from a
browser in another zone; an alert's detail and history in the console's words, with who was
sent on site apart from who owns the alert; butlers land on their queue; a return visit needs
real ratings and a complaint closes only with the resident's confirmation.

The control room runs as its own process on the demo site (time zone Asia/Shanghai);
headless Chromium drives the page. Screenshots go to var/test-artifacts/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from gateway.valves import Valves
from kiosk.views import format_time as kiosk_format_time
from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM,
    ControlRoom,
    alert_row,
    free_port,
    open_page,
    run_controlroom,
    sign_in,
    wait_for_live_board,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect

SITE_TZ = ZoneInfo("Asia/Shanghai")  # config/site.toml
FULL = "%Y-%m-%d %H:%M:%S"
MINUTE = "%Y-%m-%d %H:%M"


def at_site(iso: str | float, fmt: str = FULL) -> str:
    when = (datetime.fromtimestamp(iso / 1000, UTC) if isinstance(iso, int | float)
            else datetime.fromisoformat(iso.replace("Z", "+00:00")))
    return f"{when.astimezone(SITE_TZ):{fmt}}"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlRoom]:
    with run_controlroom(tmp_path_factory.mktemp("site-time"), free_port()) as r:
        yield r


def headers(room: ControlRoom, user: str, password: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {room.token(user, password)}"}


def post(room: ControlRoom, path: str, who: dict[str, str], status: int = 200,
         **body: Any) -> dict[str, Any]:
    r = httpx.post(f"{room.base_url}{path}", json=body, headers=who, timeout=10)
    assert r.status_code == status, r.text
    return r.json()


def fact(scope: Any, label: str) -> Any:
    """The <dd> after the <dt> reading `label` in a facts list."""
    return scope.locator(f'dt:text-is("{label}") + dd')


# -- item 9: one zone, one format ----------------------------------------------------------------


def test_a_new_york_browser_shows_every_time_in_the_sites_zone_in_one_format(
        browser: Any, room: ControlRoom) -> None:
    device_ts = 1796407117717  # the device's clock, ms (ARCHITECTURE §5)
    with open_page(browser, room.base_url, "America/New_York", height=900) as page:
        sign_in(page)
        wait_for_live_board(page)
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == \
            "America/New_York"  # the browser really is elsewhere
        # The label names the zone the times are in: the site's (its offset; its name on
        # hover), not New York's GMT-5.
        expect(page.get_by_test_id("clock-zone")).to_have_attribute("title", "Asia/Shanghai")
        expect(page.get_by_test_id("clock-zone")).to_have_text("GMT+8")
        clock = page.get_by_test_id("clock").inner_text()
        now = datetime.now(SITE_TZ)
        shown = datetime.strptime(clock, "%H:%M:%S").replace(
            year=now.year, month=now.month, day=now.day, tzinfo=SITE_TZ)
        assert abs((now - shown).total_seconds()) % 86400 < 15 or \
            abs((now - shown).total_seconds()) % 86400 > 86400 - 15, (clock, now)

        alert = room.signal("btn-1-1-0502", "panic", 1, detail={"device_ts": device_ts})
        row = alert_row(page, alert["id"])
        expect(row).to_be_visible()
        raised_full = at_site(alert["raised_at"])
        today = datetime.now(SITE_TZ).strftime("%Y-%m-%d")
        want_cell = raised_full[11:] if raised_full.startswith(today) else raised_full
        expect(row.get_by_test_id("alert-raised")).to_have_text(want_cell)
        expect(row.get_by_test_id("alert-raised")).to_have_attribute("title", raised_full)

        row.get_by_test_id("alert-unit").click()
        pane = page.get_by_test_id("details-pane")
        expect(fact(pane, "报警时间")).to_have_text(raised_full)
        expect(fact(pane, "设备时钟")).to_have_text(at_site(device_ts))
        stored = room.alert(alert["id"])
        expect(fact(pane, "网关收到")).to_have_text(at_site(stored["detail"]["observed_at"]))
        first = pane.get_by_test_id("history-item").first
        expect(first.locator("time")).to_have_text(at_site(stored["history"][0]["at"]))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "console-site-time-new-york.png"))

        # The request queue, the same way (a butler's page), and a deadline typed in the
        # form is site time too.
        page.get_by_test_id("sign-out").click()
        sign_in(page, "butler1", "butler1123")
        expect(page.get_by_test_id("requests-view")).to_be_visible()
        b1 = headers(room, "butler1", "butler1123")
        req = post(room, "/api/requests", b1, 201, unit="1-2-0701", type="repair",
                   category="taps", description="厨房水龙头滴水")
        row = page.locator(f'[data-testid="request-row"][data-request-id="{req["id"]}"]')
        expect(row).to_be_visible()
        expect(row.locator(".rq-due-at")).to_have_text(at_site(req["next_due"], MINUTE))
        row.get_by_test_id("request-title").click()
        details = page.get_by_test_id("request-details")
        created = fact(details, "受理时间")
        expect(created).to_have_text(at_site(req["created_at"], MINUTE))
        # The kiosk writes a time the same way, in the same zone.
        assert kiosk_format_time(req["created_at"], SITE_TZ, "zh") == created.inner_text()
        assert kiosk_format_time(req["created_at"], SITE_TZ, "en") == created.inner_text()
        expect(details.get_by_test_id("request-history-item").first.locator("time")).to_have_text(
            at_site(req["created_at"]))

        row.get_by_test_id("step-assign").click()
        form = page.get_by_test_id("assign-form")
        form.get_by_test_id("form-assignee").select_option("maintenance")
        form.get_by_test_id("form-due-at").fill("2030-01-02T09:30")
        form.get_by_test_id("form-submit").click()
        expect(row).to_have_attribute("data-state", "assigned")
        r = httpx.get(f"{room.base_url}/api/requests/{req['id']}", headers=b1, timeout=10).json()
        work = next(p for p in r["promises"] if p["name"] == "work")
        # 09:30 in Shanghai, not in New York.
        assert datetime.fromisoformat(work["due"].replace("Z", "+00:00")) == datetime(
            2030, 1, 2, 1, 30, tzinfo=UTC)
        expect(details.locator('[data-testid="request-promise"][data-name="work"]')
               ).to_contain_text("2030-01-02 09:30")
        # The assignment's note carries the deadline: as the site's time too, not ISO UTC.
        assigned = details.locator('[data-testid="request-history-item"][data-action="assign"]')
        expect(assigned).to_contain_text("2030-01-02 09:30")
        expect(assigned).not_to_contain_text("2030-01-02T01:30")
        page.screenshot(path=str(ARTIFACTS / "console-site-time-requests-new-york.png"))


# -- item 10: the alert's detail in the console's words ------------------------------------------


def test_the_alert_detail_speaks_the_consoles_language_and_tells_sent_from_owner(
        browser: Any, room: ControlRoom) -> None:
    device = "gas-2-2-0801"
    device_ts = 1796407117717
    gw = headers(room, "gateway", "gateway123")
    with open_page(browser, room.base_url, "Asia/Shanghai", height=900) as page:
        sign_in(page)
        wait_for_live_board(page)
        alert = room.signal(device, "gas_alarm", 1, detail={"lel": 27.5, "device_ts": device_ts})
        # The gateway's own valve note, as the gateway words it (gateway/valves.py).
        valves = Valves(enabled=True)
        now = time.time()
        sig = type("Sig", (), {"kind": "gas_alarm", "condition": "active", "device": device})()
        cmd = valves.on_signal(sig, "gas_detector", now)  # type: ignore[arg-type]
        assert cmd is not None
        note = valves.on_ack(device, f'{{"id": "{cmd.id}", "ok": true}}'.encode())
        assert note is not None
        post(room, "/api/gateway/alerts/note", gw, device=device, kind="gas_alarm",
             note=note.note, detail=note.detail)

        row = alert_row(page, alert["id"])
        expect(row).to_be_visible()
        row.get_by_test_id("dispatch-button").click()
        form = page.get_by_test_id("dispatch-form")
        form.get_by_test_id("dispatch-to").fill("保安巡逻 张师傅")
        form.get_by_test_id("dispatch-submit").click()
        expect(row).to_have_attribute("data-state", "dispatched")
        row.get_by_test_id("alert-unit").click()
        pane = page.get_by_test_id("details-pane")
        expect(pane).to_have_attribute("data-alert-id", str(alert["id"]))
        pane.get_by_test_id("plan-step").nth(0).get_by_test_id("plan-tick").click()
        pane.get_by_test_id("assign-me").click()
        expect(pane.get_by_test_id("assign-me")).to_be_hidden()

        facts = pane.get_by_test_id("details-facts")
        expect(fact(facts, "设备时钟")).to_have_text(at_site(device_ts))
        expect(fact(facts, "燃气阀")).to_have_text("已自动关闭（设备已确认）")
        expect(fact(facts, "派往现场")).to_contain_text("保安巡逻 张师傅")
        # Who was sent on site, and who owns the alert in the control room: two labels.
        expect(pane.get_by_test_id("assigned-to")).to_have_text("控制室负责人：operator")
        history = pane.get_by_test_id("history-item")
        expect(history.filter(has_text="燃气阀已自动关闭（设备已确认）")).to_have_count(1)
        expect(history.filter(has_text="派往：保安巡逻 张师傅")).to_have_count(1)
        expect(history.filter(has_text="完成第 1 步：确认报警房号")).to_have_count(1)
        expect(history.filter(has_text="指派给 operator")).to_have_count(1)
        text = pane.inner_text()
        for raw in ("device_ts", "closed_confirmed", "valve", str(device_ts), "gas valve",
                    "step 1 ticked", "to 保安巡逻"):
            assert raw not in text, f"{raw!r} shown raw in the Chinese console"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pane.evaluate("node => { node.scrollTop = 0; }")
        page.screenshot(path=str(ARTIFACTS / "console-alert-detail-zh.png"))
        pane.evaluate("node => { node.scrollTop = node.scrollHeight; }")
        page.screenshot(path=str(ARTIFACTS / "console-alert-detail-zh-history.png"))

        bar = "document.querySelector('.topbar').getBoundingClientRect().height"
        zh_bar = page.evaluate(bar)
        page.get_by_test_id("lang-toggle").click()
        expect(fact(facts, "Gas valve")).to_have_text(
            "Closed automatically (confirmed by the device)")
        expect(fact(facts, "Sent on site")).to_contain_text("保安巡逻 张师傅")
        expect(pane.get_by_test_id("assigned-to")).to_have_text("Control-room owner: operator")
        assert page.evaluate(bar) == zh_bar  # the zone label does not wrap the English top bar
        expect(history.filter(has_text="Step 1 done: Identify the unit")).to_have_count(1)
        pane.evaluate("node => { node.scrollTop = 0; }")
        page.screenshot(path=str(ARTIFACTS / "console-alert-detail-en.png"))

    stored = room.alert(alert["id"])
    assert stored["dispatched_to"] == "保安巡逻 张师傅"
    assert stored["detail"]["assigned_to"] == "operator"
    assert stored["detail"]["valve"] == "closed_confirmed"


# -- item 11: the butler's day -------------------------------------------------------------------


def test_butlers_land_on_their_queue_and_a_return_visit_and_a_complaint_close_are_real(
        browser: Any, room: ControlRoom) -> None:
    b1 = headers(room, "butler1", "butler1123")
    rid = post(room, "/api/requests", b1, 201, unit="1-1-0203", type="complaint",
               category="noise", description="楼上装修噪音")["id"]
    for path, body in (("judge", {"valid": True}), ("assign", {"assignee": "maintenance"}),
                       ("start", {}), ("feedback", {"note": "已联系装修方"}),
                       ("complete", {}), ("accept", {})):
        post(room, f"/api/requests/{rid}/{path}", b1, **body)

    with open_page(browser, room.base_url, "Asia/Shanghai", height=900) as page:
        # The front desk's parcel clerk still lands on the parcel desk.
        sign_in(page, "frontdesk", "frontdesk123")
        expect(page.get_by_test_id("desk-view")).to_be_visible()
        expect(page.get_by_test_id("requests-view")).to_be_hidden()
        page.get_by_test_id("sign-out").click()

        # A butler lands on the request queue, without a click.
        sign_in(page, "butler1", "butler1123")
        expect(page.get_by_test_id("requests-view")).to_be_visible()
        expect(page.get_by_test_id("desk-view")).to_be_hidden()
        expect(page.get_by_test_id("nav-requests")).to_have_attribute("aria-current", "page")

        row = page.locator(f'[data-testid="request-row"][data-request-id="{rid}"]')
        row.get_by_test_id("step-return_visit").click()
        form = page.get_by_test_id("return_visit-form")
        for name in ("attitude", "quality", "punctuality"):
            expect(form.get_by_test_id(f"form-{name}")).to_have_value("")  # no rating given
        form.get_by_test_id("form-submit").click()
        expect(form.get_by_test_id("form-error")).to_have_text(re.compile("请为“态度”打分"))
        form.get_by_test_id("form-attitude").select_option("4")
        form.get_by_test_id("form-quality").select_option("3")
        form.get_by_test_id("form-submit").click()
        expect(form.get_by_test_id("form-error")).to_have_text(re.compile("请为“准时”打分"))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "console-return-visit-needs-ratings.png"))
        r = httpx.get(f"{room.base_url}/api/requests/{rid}", headers=b1, timeout=10).json()
        assert (r["state"], r["ratings"]) == ("accepted", None)  # nothing was recorded
        form.get_by_test_id("form-punctuality").select_option("5")
        form.get_by_test_id("form-submit").click()
        expect(row).to_have_attribute("data-state", "return_visit")

        row.get_by_test_id("step-close").click()
        form = page.get_by_test_id("close-form")
        expect(form).to_contain_text("住户已确认（投诉结案必须）")
        form.get_by_test_id("form-submit").click()
        expect(form.get_by_test_id("form-error")).to_contain_text("投诉须经住户确认才能结案")
        page.screenshot(path=str(ARTIFACTS / "console-complaint-close-needs-confirmation.png"))
        expect(row).to_have_attribute("data-state", "return_visit")
        form.get_by_test_id("form-confirmed").check()
        form.get_by_test_id("form-submit").click()
        expect(form).to_have_count(0)

    r = httpx.get(f"{room.base_url}/api/requests/{rid}", headers=b1, timeout=10).json()
    assert r["ratings"] == {"attitude": 4, "quality": 3, "punctuality": 5}
    assert (r["state"], r["resident_confirmed"]) == ("closed", True)
