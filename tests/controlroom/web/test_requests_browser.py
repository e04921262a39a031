"""The service-request queue in the web console, end to end in a real browser.

The control room runs as its own process on a site whose repair on-site promise is a few
seconds (the rest are the defaults), so a repair ordered at the kiosk runs out while the test
watches; headless Chromium drives the page through Playwright.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM,
    ControlRoom,
    open_page,
    sign_in,
)
from tests.support.sites import demo_text, write_site
from tests.support.stack import Stack
from tests.utils import wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect

ON_SITE_S = 3  # the repair on-site promise of the test site


class Desk:
    """The kiosk and the staff API of the running control room."""

    def __init__(self, room: ControlRoom) -> None:
        self.room = room

    def headers(self, user: str, password: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.room.token(user, password)}"}

    def kiosk_order(self, unit: str, pin: str, body: dict[str, Any]) -> dict[str, Any]:
        kiosk = self.headers("kiosk-1", "kiosk1-secret")
        r = httpx.post(f"{self.room.base_url}/api/kiosk/session", headers=kiosk, timeout=10,
                       json={"method": "pin", "unit": unit, "pin": pin})
        assert r.status_code == 201, r.text
        r = httpx.post(f"{self.room.base_url}/api/kiosk/requests", json=body, timeout=10,
                       headers={**kiosk, "X-Resident-Session": r.json()["session"]})
        assert r.status_code == 201, r.text
        return r.json()

    def request(self, rid: int) -> dict[str, Any]:
        r = httpx.get(f"{self.room.base_url}/api/requests/{rid}", timeout=10,
                      headers=self.headers("supervisor", "supervisor123"))
        r.raise_for_status()
        return r.json()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    tmp = tmp_path_factory.mktemp("requests-browser")
    site = write_site(tmp, demo_text().replace("repair_on_site_min = 15",
                                               f"repair_on_site_min = {ON_SITE_S / 60}"))
    stack = Stack(tmp, site=site)
    try:
        stack.start_controlroom()  # waits up to 60 s: argon2 at start-up on a busy machine
        yield Desk(ControlRoom(stack.api_url, tmp / "log" / "controlroom.log"))
    finally:
        stack.group.stop_all()


@pytest.fixture
def page(browser: Any, desk: Desk) -> Iterator[Any]:
    with open_page(browser, desk.room.base_url) as pg:
        yield pg


def row(page: Any, rid: int) -> Any:
    return page.locator(f'[data-testid="request-row"][data-request-id="{rid}"]')


def test_the_butler_sees_the_queue_by_deadline_overdue_first_in_red_and_works_it(
        page: Any, desk: Desk) -> None:
    late = desk.kiosk_order("1-2-1502", "246810",
                            {"type": "repair", "category": "taps", "description": "水龙头漏水"})
    enquiry = desk.kiosk_order("1-1-0301", "112233",
                               {"type": "enquiry", "description": "物业费发票怎么开？"})
    # The watcher marks the repair overdue once its on-site promise runs out.
    wait_until("the repair marked overdue", lambda: desk.request(late["id"])["overdue"])
    assert desk.request(late["id"])["escalated"] == ["on_site"]
    # The supervisor is told: the message is in the control room's outbox (ARCHITECTURE §10;
    # this site configures no channel for the role, so it is there as failing).
    sup = {"Authorization": f"Bearer {desk.room.token('supervisor', 'supervisor123')}"}
    wait_until("the supervisor notified", lambda: [
        n for n in httpx.get(f"{desk.room.base_url}/api/notifications", headers=sup,
                             params={"kind": "request_overdue"}, timeout=10).json()["data"]
        if n["recipient"] == "supervisor" and n["subject"] ==
        f"Overdue service request {late['number']} (1-2-1502): on site"])

    sign_in(page, "butler1", "butler1123")
    view = page.get_by_test_id("requests-view")  # a butler lands on the queue
    expect(view).to_be_visible()
    expect(page.get_by_test_id("console-view")).to_be_hidden()  # no alarm board for the desk
    expect(page.get_by_test_id("nav-board")).to_have_count(0)
    expect(page.get_by_test_id("current-user")).to_have_attribute("data-role", "frontdesk")

    rows = page.get_by_test_id("request-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-request-id", str(late["id"]))
    expect(rows.nth(1)).to_have_attribute("data-request-id", str(enquiry["id"]))
    first = row(page, late["id"])
    expect(first).to_have_attribute("data-overdue", "true")
    expect(first).to_have_class(re.compile(r"(^|\s)is-overdue(\s|$)"))
    bg = first.evaluate("n => getComputedStyle(n).backgroundColor")
    assert bg == "rgb(42, 18, 22)", bg  # the red of an overdue row
    expect(first.get_by_test_id("request-overdue")).to_have_text("超时")
    expect(first.get_by_test_id("request-number")).to_have_text(late["number"])
    expect(first.get_by_test_id("request-owner")).to_have_text("butler1")
    expect(first.get_by_test_id("request-due-left")).to_contain_text("超时")
    second = row(page, enquiry["id"])
    expect(second).to_have_attribute("data-overdue", "false")
    expect(second.get_by_test_id("request-next")).to_have_text("回复")
    expect(second.get_by_test_id("request-due-left")).to_contain_text("剩")

    # The history shows the escalation.
    first.get_by_test_id("request-title").click()
    details = page.get_by_test_id("request-details")
    expect(details.get_by_test_id("request-history-item").filter(has_text="超时上报")
           ).to_have_count(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "requests-queue.png"))

    # Assign: nothing sent without saying who.
    first.get_by_test_id("step-assign").click()
    form = page.get_by_test_id("assign-form")
    form.get_by_test_id("form-submit").click()
    expect(form.get_by_test_id("form-error")).to_be_visible()
    form.get_by_test_id("form-assignee").select_option("maintenance")
    form.get_by_test_id("form-note").fill("赵工10分钟内到")
    form.get_by_test_id("form-submit").click()
    expect(first).to_have_attribute("data-state", "assigned")
    expect(first.get_by_test_id("request-assignee")).to_have_text("maintenance")
    expect(form).to_have_count(0)

    # The technician on site: the row is no longer late, and the repair moves below.
    first.get_by_test_id("step-start").click()
    expect(first).to_have_attribute("data-state", "in_progress")
    expect(first).to_have_attribute("data-overdue", "false")
    expect(rows.nth(0)).to_have_attribute("data-request-id", str(enquiry["id"]))
    page.screenshot(path=str(ARTIFACTS / "requests-queue-worked.png"))

    stored = desk.request(late["id"])
    assert [(h["actor"], h["action"]) for h in stored["history"]] == [
        ("resident:1-2-1502@kiosk-1", "received"), ("system", "escalated"),
        ("butler1", "assign"), ("butler1", "start")]
    assert stored["history"][2]["note"].endswith("赵工10分钟内到")


def test_a_desk_request_by_phone_in_english_and_an_operator_only_reads(
        page: Any, desk: Desk, browser: Any) -> None:
    sign_in(page, "butler2", "butler2123")
    page.get_by_test_id("nav-requests").click()
    expect(page.get_by_test_id("requests-view")).to_be_visible()
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("nav-requests")).to_have_text("Service requests")
    page.get_by_test_id("new-request").click()
    form = page.get_by_test_id("new-request-form")
    form.get_by_test_id("new-unit").fill("2-1-0304")
    form.get_by_test_id("new-type").select_option("complaint")
    form.get_by_test_id("new-category").select_option("noise")
    form.get_by_test_id("new-channel").select_option("phone")
    form.get_by_test_id("new-description").fill("Loud music after 23:00 above us")
    form.get_by_test_id("new-submit").click()
    expect(form).to_be_hidden()
    made = page.get_by_test_id("request-row").filter(has_text="2-1-0304")
    expect(made).to_have_count(1)
    expect(made.get_by_test_id("request-type")).to_have_text("Complaint")
    expect(made.get_by_test_id("request-title")).to_have_text("Noise")
    expect(made.get_by_test_id("request-owner")).to_have_text("butler2")
    expect(made.get_by_test_id("request-state")).to_have_text("Received")
    details = page.get_by_test_id("request-details")
    expect(details.get_by_test_id("request-promise")).to_have_count(4)
    rid = int(made.get_attribute("data-request-id"))
    assert desk.request(rid)["channel"] == "phone"

    # The complaint's feedback promise is kept by telling the resident, from the row.
    made.get_by_test_id("step-feedback").click()
    form = page.get_by_test_id("feedback-form")
    form.get_by_test_id("form-submit").click()
    expect(form.get_by_test_id("form-error")).to_contain_text("What the resident was told")
    form.get_by_test_id("form-note").fill("Spoke to the neighbours; quiet after 22:00")
    form.get_by_test_id("form-submit").click()
    expect(form).to_have_count(0)
    feedback = details.locator('[data-testid="request-promise"][data-name="feedback"]')
    expect(feedback).to_have_class(re.compile(r"(^|\s)is-met(\s|$)"))
    page.screenshot(path=str(ARTIFACTS / "requests-desk-complaint.png"))
    assert [h["action"] for h in desk.request(rid)["history"]] == ["received", "feedback"]

    # An operator sees both pages but takes no step on a request.
    with open_page(browser, desk.room.base_url) as op:
        sign_in(op, "operator", "operator123")
        expect(op.get_by_test_id("console-view")).to_be_visible()
        op.get_by_test_id("nav-requests").click()
        expect(op.get_by_test_id("requests-view")).to_be_visible()
        expect(op.get_by_test_id("console-view")).to_be_hidden()
        expect(row(op, rid)).to_be_visible()
        expect(row(op, rid).locator("button")).to_have_count(0)
        expect(op.get_by_test_id("new-request")).to_be_hidden()
        op.get_by_test_id("nav-board").click()
        expect(op.get_by_test_id("console-view")).to_be_visible()


def test_the_queue_labels_states_with_the_vocabulary_the_api_serves(
        page: Any, desk: Desk) -> None:
    """Issue 12: one request vocabulary. The console shows a request in return visit and a
    closed one with exactly the labels GET /api/requests/vocabulary answers, in both
    languages; the kiosk device reads the same answer."""
    base = desk.room.base_url
    staff = desk.headers("supervisor", "supervisor123")
    r = httpx.get(f"{base}/api/requests/vocabulary", headers=staff, timeout=10)
    assert r.status_code == 200, r.text
    vocab = r.json()
    kiosk = httpx.get(f"{base}/api/requests/vocabulary", timeout=10,
                      headers=desk.headers("kiosk-1", "kiosk1-secret"))
    assert kiosk.status_code == 200 and kiosk.json() == vocab

    def walk(rid: int, *steps: tuple[str, dict[str, Any]]) -> None:
        for path, body in steps:
            resp = httpx.post(f"{base}/api/requests/{rid}/{path}", json=body, headers=staff,
                              timeout=10)
            assert resp.status_code == 200, resp.text

    to_visit = (("assign", {"assignee": "maintenance"}), ("start", {}), ("complete", {}),
                ("accept", {}),
                ("return-visit", {"attitude": 5, "quality": 5, "punctuality": 4}))
    visited = desk.kiosk_order("2-1-0101", "102030",
                               {"type": "enquiry", "description": "电梯年检是哪天？"})
    closed = desk.kiosk_order("2-1-0101", "102030",
                              {"type": "enquiry", "description": "快递柜在哪里？"})
    walk(visited["id"], *to_visit)
    walk(closed["id"], *to_visit, ("close", {}))
    assert desk.request(visited["id"])["state"] == "return_visit"
    assert desk.request(closed["id"])["state"] == "closed"

    sign_in(page, "supervisor", "supervisor123")
    page.get_by_test_id("nav-requests").click()
    expect(page.get_by_test_id("requests-view")).to_be_visible()
    page.get_by_test_id("filter-state").select_option("all")
    visit_row, closed_row = row(page, visited["id"]), row(page, closed["id"])
    states = vocab["states"]
    expect(visit_row.get_by_test_id("request-state")).to_have_text(states["return_visit"]["zh"])
    expect(closed_row.get_by_test_id("request-state")).to_have_text(states["closed"]["zh"])
    expect(closed_row.get_by_test_id("request-type")).to_have_text(vocab["types"]["enquiry"]["zh"])
    visit_row.get_by_test_id("request-title").click()
    expect(page.get_by_test_id("request-details-title")).to_have_text(
        f"{visited['number']} · {states['return_visit']['zh']}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "requests-vocabulary-zh.png"))

    page.get_by_test_id("lang-toggle").click()
    expect(visit_row.get_by_test_id("request-state")).to_have_text(states["return_visit"]["en"])
    expect(closed_row.get_by_test_id("request-state")).to_have_text(states["closed"]["en"])
    page.screenshot(path=str(ARTIFACTS / "requests-vocabulary-en.png"))
