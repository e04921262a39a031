"""The outbox against a real HTTP server as the SMS gateway of ARCHITECTURE §10: the POST is
the contract's, a non-2xx answer is retried with backoff under the same id, the resident's
language picks the text, quiet hours and the rate limit hold what can wait and never an
alarm, a message is recorded only if its cause commits, and no code reaches the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import sessionmaker

import controlroom.tables  # noqa: F401 (every table on the metadata)
from controlroom.core.db import Base, make_engine, make_sessionmaker
from controlroom.core.models import Setting
from controlroom.core.notify import ResidentMessage
from controlroom.core.notify_rules import QuietHours
from controlroom.core.outbox import NotifyConfig, Outbox
from tests.controlroom.conftest import Clock
from tests.support.receivers import HttpReceiver, http_receiver


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(db_url)
    if engine.dialect.name == "sqlite":
        Base.metadata.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def sms() -> Iterator[HttpReceiver]:
    with http_receiver() as rx:
        yield rx


def outbox(sessions: sessionmaker, clock: Clock, sms: HttpReceiver, **kw: object) -> Outbox:
    config = NotifyConfig(sms_url=f"{sms.url}/sms", timezone="Asia/Shanghai",
                          **kw)  # type: ignore[arg-type]
    return Outbox(sessions, config, clock)


def parcel(language: str = "zh", **kw: object) -> ResidentMessage:
    return ResidentMessage("1-2-1502", "139-0000-1502", language, "您的快递已到，取件码 482913",
                           "Your parcel has arrived: pickup code 482913", "held_item",
                           "held_item:1", secret="482913", **kw)  # type: ignore[arg-type]


def test_a_message_is_posted_as_the_contract_says(sessions: sessionmaker, clock: Clock,
                                                  sms: HttpReceiver) -> None:
    box = outbox(sessions, clock, sms)
    nid = box.tell_resident(parcel("en"))
    assert box.get(nid).state == "queued"  # type: ignore[arg-type]
    assert box.deliver_due() == 1
    [post] = sms.posts
    assert post.path == "/sms"
    assert post.body == {"id": nid, "to": "139-0000-1502", "kind": "held_item",
                         "text": "Your parcel has arrived: pickup code 482913"}
    assert post.headers["Content-Type"] == "application/json"
    row = box.get(nid)  # type: ignore[arg-type]
    assert (row.state, row.attempts, row.sent_at) == ("sent", 1, clock())
    assert box.deliver_due() == 0  # sent once


def test_the_residents_language_picks_the_text(sessions: sessionmaker, clock: Clock,
                                               sms: HttpReceiver) -> None:
    box = outbox(sessions, clock, sms)
    box.tell_resident(parcel("zh"))
    box.deliver_due()
    assert sms.posts[0].body["text"] == "您的快递已到，取件码 482913"


def test_a_refusing_gateway_is_retried_with_backoff_under_the_same_id(
        sessions: sessionmaker, clock: Clock, sms: HttpReceiver) -> None:
    box = outbox(sessions, clock, sms)
    sms.fail_with = 500
    nid = box.tell_resident(parcel())
    box.deliver_due()
    row = box.get(nid)  # type: ignore[arg-type]
    assert (row.state, row.attempts, row.last_error) == (
        "failed", 1, "SMS gateway answered HTTP 500")
    assert row.next_attempt_at == clock() + timedelta(seconds=1)
    assert box.failing() == 1
    assert box.deliver_due() == 0  # not before the backoff
    clock.advance(seconds=1)
    box.deliver_due()
    assert box.get(nid).next_attempt_at == clock() + timedelta(seconds=2)  # type: ignore[arg-type]
    sms.fail_with = None
    clock.advance(seconds=2)
    box.deliver_due()
    row = box.get(nid)  # type: ignore[arg-type]
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    assert [p.id for p in sms.refused] == [nid, nid] and [p.id for p in sms.posts] == [nid]
    assert box.failing() == 0
    assert box.counts() == {"queued": 0, "sent": 1, "failed": 0}


def test_an_unreachable_gateway_fails_without_the_text_in_the_error(
        sessions: sessionmaker, clock: Clock, sms: HttpReceiver) -> None:
    box = Outbox(sessions, NotifyConfig(sms_url="http://127.0.0.1:9/sms"), clock)
    nid = box.tell_resident(parcel())
    box.deliver_due()
    row = box.get(nid)  # type: ignore[arg-type]
    assert row.state == "failed" and row.last_error.startswith("SMS gateway unreachable")


def test_quiet_hours_and_the_rate_limit_hold_a_resident_message_but_not_an_alarm(
        sessions: sessionmaker, sms: HttpReceiver) -> None:
    from datetime import UTC, datetime
    night = Clock(datetime(2026, 11, 22, 23, 0, tzinfo=UTC))  # 07:00 in Shanghai: quiet over
    clock = Clock(datetime(2026, 11, 22, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
    box = outbox(sessions, clock, sms, quiet_hours=QuietHours.parse("22:00-07:00"),
                 rate_per_hour=2)
    held = box.tell_resident(parcel())
    alarm = box.tell_resident(parcel(urgent=True))
    code = box.tell_resident(parcel(asked=True))
    box.deliver_due()
    assert sorted(p.id for p in sms.posts) == sorted([alarm, code])
    assert box.get(held).next_attempt_at == night()  # type: ignore[arg-type]
    # In the morning: two per hour for this phone, the third an hour after the first.
    box.clock = box.now = night  # type: ignore[method-assign]
    second, third = box.tell_resident(parcel()), box.tell_resident(parcel())
    assert box.get(second).next_attempt_at == night()  # type: ignore[arg-type]
    assert box.get(third).next_attempt_at == night() + timedelta(hours=1)  # type: ignore[arg-type]
    box.deliver_due()
    assert {held, second} <= {p.id for p in sms.posts} and third not in {p.id for p in sms.posts}


def test_a_message_exists_only_if_its_cause_commits(sessions: sessionmaker, clock: Clock,
                                                    sms: HttpReceiver) -> None:
    box = outbox(sessions, clock, sms)
    nudged: list[int] = []
    box.wake = lambda: nudged.append(1)
    with sessions() as s:
        s.add(Setting(key="cause", value="x"))
        box.tell_resident(parcel(), s)
        s.rollback()
    assert box.list() == [] and nudged == []
    with sessions() as s:
        s.add(Setting(key="cause", value="y"))
        box.tell_resident(parcel(), s)
        assert nudged == []  # not before the commit
        s.commit()
    assert len(box.list()) == 1 and nudged == [1]  # the commit nudged the sender


def test_no_code_in_the_log(sessions: sessionmaker, clock: Clock, sms: HttpReceiver,
                            caplog: pytest.LogCaptureFixture) -> None:
    box = outbox(sessions, clock, sms)
    with caplog.at_level(logging.DEBUG):
        box.tell_resident(parcel())
        sms.fail_with = 503
        box.deliver_due()
        sms.fail_with = None
        clock.advance(seconds=1)
        box.deliver_due()
    assert sms.posts and "482913" in sms.posts[0].body["text"]
    assert caplog.records and not any("482913" in r.getMessage() for r in caplog.records)
    assert not any("139-0000-1502" in r.getMessage() for r in caplog.records)


def test_resend_starts_a_failed_message_again_and_is_audited(
        sessions: sessionmaker, clock: Clock, sms: HttpReceiver) -> None:
    from sqlalchemy import select

    from controlroom.core.errors import Conflict
    from controlroom.core.models import AuditEntry
    box = outbox(sessions, clock, sms)
    sms.fail_with = 500
    nid = box.tell_resident(parcel())
    box.deliver_due()
    sms.fail_with = None
    assert box.resend(nid, "supervisor").next_attempt_at == clock()  # type: ignore[arg-type]
    box.deliver_due()
    assert box.get(nid).state == "sent"  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        box.resend(nid, "supervisor")  # type: ignore[arg-type]
    with sessions() as s:
        [entry] = s.scalars(select(AuditEntry)).all()
    assert (entry.actor, entry.action, entry.target) == (
        "supervisor", "notification.resend", f"notification:{nid}")
    assert "SMS gateway answered HTTP 500" in entry.detail


def test_an_unusable_or_missing_channel_is_a_failure_named_without_its_secrets(
        sessions: sessionmaker, clock: Clock, sms: HttpReceiver,
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        box = Outbox(sessions, NotifyConfig(roles={"manager": ("nonsense://s3cret@host",)},
                                            sms_url=f"{sms.url}/sms"), clock)
    assert "channel 1 (nonsense://…) is not a usable apprise URL" in caplog.text
    assert "s3cret" not in caplog.text
    box.notify("manager", "Escalation 2", "gas")
    box.notify("maintenance", "3 devices offline", "…")  # no channel for the role at all
    box.deliver_due()
    errors = {n.recipient: (n.state, n.last_error) for n in box.list()}
    assert errors == {
        "manager": ("failed", "nonsense://…: not a usable apprise URL"),
        "maintenance": ("failed", "no channel configured for the maintenance role")}


def test_the_outbox_depth_on_metrics_counts_what_is_not_yet_sent(
        sessions: sessionmaker, clock: Clock, sms: HttpReceiver) -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from tests.utils.metrics import sample

    box = outbox(sessions, clock, sms)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(type("Outbox", (), {"collect": lambda _: box.metric_families()})())

    def scrape(name: str, **labels: str) -> float | None:
        return sample(generate_latest(registry).decode(), name, **labels)

    assert scrape("butler_notification_outbox_depth") == 0
    sms.fail_with = 500
    box.tell_resident(parcel())
    box.tell_resident(parcel("en"))
    assert scrape("butler_notification_outbox_depth") == 2  # both queued
    box.deliver_due()
    assert scrape("butler_notification_outbox_depth") == 2  # both failing, to be retried
    assert scrape("butler_notifications", state="failed") == 2
    sms.fail_with = None
    clock.advance(seconds=1)
    box.deliver_due()
    assert scrape("butler_notification_outbox_depth") == 0
    assert scrape("butler_notifications", state="sent") == 2
