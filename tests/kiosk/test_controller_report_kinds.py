"""Every request type a resident reports at the kiosk (issue 16): the kinds on the report
screen and the rule each is sent by, the controller against the contract's stand-in
(tests/support/fake_kiosk_api/) over an in-memory transport."""

from __future__ import annotations

import pytest

from kiosk.controller import KioskController
from kiosk.flows.reporting import can_send, request_body
from tests.support.fake_kiosk_api import CATEGORIES, FakeKioskApi
from tests.support.kiosk_controller import Clock, log_in_for


def report_logged_in(kiosk: KioskController) -> None:
    """Home → report, which asks for the flat and PIN first."""
    log_in_for(kiosk, "report")


def sent(fake: FakeKioskApi) -> list[dict]:
    return list(fake.requests.get("1-2-1502", []))


def test_the_report_screen_offers_every_kind_a_resident_sends(kiosk: KioskController) -> None:
    report_logged_in(kiosk)
    assert [k.title for k in kiosk.view().kinds] == ["报修", "投诉", "求助", "咨询", "建议"]
    kiosk.toggle_lang()
    assert [k.title for k in kiosk.view().kinds] == [
        "Repair", "Complaint", "Help", "Enquiry", "Suggestion"]
    assert kiosk.chrome().title == "Report or get help"


def test_a_help_request_is_sent_at_once_and_says_what_happens_next(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    report_logged_in(kiosk)
    before = len(sent(fake))
    kiosk.report_choose_kind("help")
    view = kiosk.view()
    assert view.can_send and view.categories == ()
    assert view.prompt == "需要帮助？直接按「提交」，管家会尽快联系您。"
    assert view.note_label == "补充说明（可不填）"
    kiosk.report_send("")

    assert len(sent(fake)) == before + 1
    placed = sent(fake)[0]
    assert placed["type"] == "help" and placed["description"] == ""
    done = kiosk.view()
    assert kiosk.screen == "message" and done.ok
    assert (done.title, done.number) == ("已收到您的求助", placed["number"])
    lines = done.body.split("\n")
    # The next step and the promised time as the control room answered them.
    assert lines[0] == placed["next_step_zh"]
    assert lines[1].startswith("承诺时间：") and lines[1].endswith(" 前")
    assert lines[2] == "情况危急请立即拨打 120，或 24 小时热线 400-820-8820"
    kiosk.toggle_lang()
    assert kiosk.view().body.split("\n")[0] == placed["next_step_en"]


def test_a_help_request_takes_the_note_when_one_is_typed(kiosk: KioskController,
                                                         fake: FakeKioskApi) -> None:
    report_logged_in(kiosk)
    kiosk.report_choose_kind("help")
    kiosk.report_send("  我摔倒了，起不来  ")
    assert sent(fake)[0]["type"] == "help"
    assert sent(fake)[0]["description"] == "我摔倒了，起不来"


@pytest.mark.parametrize(("kind", "prompt", "label"), [
    ("enquiry", "请在下面写下您的问题，写好后才能提交。", "您的问题"),
    ("suggestion", "请在下面写下您的建议，写好后才能提交。", "您的建议"),
])
def test_an_enquiry_or_a_suggestion_is_sent_only_with_its_text(
        kiosk: KioskController, fake: FakeKioskApi, kind: str, prompt: str,
        label: str) -> None:
    report_logged_in(kiosk)
    before = sent(fake)
    kiosk.report_choose_kind(kind)
    view = kiosk.view()
    assert (view.prompt, view.note_label, view.categories) == (prompt, label, ())
    assert not view.can_send
    kiosk.report_send("   ")
    assert kiosk.screen == "report" and sent(fake) == before  # nothing sent

    kiosk.report_text("发")
    assert kiosk.view().can_send
    kiosk.report_text("")
    assert not kiosk.view().can_send
    kiosk.report_text("发票怎么开？")
    kiosk.report_send("发票怎么开？")
    assert (sent(fake)[0]["type"], sent(fake)[0]["description"]) == (kind, "发票怎么开？")
    done = kiosk.view()
    assert done.title == "已提交" and done.number == sent(fake)[0]["number"]


def test_a_repair_or_complaint_still_needs_its_category_and_a_new_kind_clears_it(
        kiosk: KioskController, fake: FakeKioskApi) -> None:
    report_logged_in(kiosk)
    kiosk.report_choose("water")
    assert kiosk.view().can_send
    kiosk.report_choose_kind("complaint")
    assert not kiosk.view().can_send
    assert [c.id for c in kiosk.view().categories] == [c["id"] for c in CATEGORIES["complaint"]]
    kiosk.report_send("很吵")
    assert kiosk.screen == "report"
    kiosk.report_choose("noise")
    kiosk.report_send("很吵")
    assert (sent(fake)[0]["type"], sent(fake)[0]["description"]) == ("complaint", "很吵")


def test_typing_a_long_note_holds_off_the_idle_timeout(kiosk: KioskController,
                                                       clock: Clock) -> None:
    report_logged_in(kiosk)
    kiosk.report_choose_kind("suggestion")
    for i in range(1, 5):  # a key every 40 s, longer than the 60-s idle limit in all
        clock.t += 40
        kiosk.report_text("多种树"[: i % 3 + 1])
        kiosk.tick()
    assert kiosk.screen == "report" and kiosk.logged_in
    clock.t += 61
    kiosk.tick()
    assert kiosk.screen == "attract" and not kiosk.logged_in


def test_each_kinds_send_rule() -> None:
    assert can_send("help", "", "")
    assert not can_send("enquiry", "", " \n ") and can_send("enquiry", "", "?")
    assert not can_send("suggestion", "", "") and can_send("suggestion", "", "多种树")
    assert not can_send("repair", "", "漏水") and can_send("repair", "water", "")
    assert not can_send("complaint", "", "很吵") and can_send("complaint", "noise", "")
    assert not can_send("service_order", "", "x")  # ordered from the menus, not here


def test_the_body_sent_for_each_kind() -> None:
    assert request_body("help", "", "  ", CATEGORIES) == {"type": "help"}
    assert request_body("enquiry", "", " 几点停水？ ", CATEGORIES) == {
        "type": "enquiry", "description": "几点停水？"}
    assert request_body("repair", "lift", "", CATEGORIES) == {
        "type": "urgent_repair", "category": "lift"}
    assert request_body("complaint", "noise", "x" * 600, CATEGORIES)["description"] == "x" * 500
