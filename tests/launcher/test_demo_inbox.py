"""`make demo`'s inbox: the estate's messages, sent by the control room's real outbox (apprise
for staff roles, the SMS-gateway contract for residents), land as JSON lines in
var/log/inbox.log; a channel the site file or the environment sets is left alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

import controlroom.tables  # noqa: F401 (every table on the metadata)
from config.model import NotifySite
from config.settings import NOTIFY_ROLES
from controlroom.core.db import Base, make_sessionmaker
from controlroom.core.notify import ResidentMessage
from controlroom.core.outbox import NotifyConfig, Outbox
from launcher.demo_inbox import DemoInbox


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[DemoInbox]:
    box = DemoInbox(tmp_path / "log" / "inbox.log").start()
    yield box
    box.stop()


def _lines(inbox: DemoInbox) -> list[dict[str, Any]]:
    if not inbox.path.exists():
        return []
    return [json.loads(ln) for ln in inbox.path.read_text(encoding="utf-8").splitlines()]


def test_what_the_outbox_sends_lands_in_the_inbox(inbox: DemoInbox, tmp_path: Path) -> None:
    env = inbox.env(NotifySite(), {})
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    Base.metadata.create_all(engine)
    config = NotifyConfig(roles={"supervisor": (env["BUTLER_NOTIFY_SUPERVISOR"],)},
                          sms_url=env["BUTLER_SMS_URL"])
    outbox = Outbox(make_sessionmaker(engine), config, lambda: datetime.now(UTC))
    outbox.notify("supervisor", "Escalation 1: gas_alarm at 1-2-1502",
                  "not acknowledged after 30 s", kind="escalation", urgent=True)
    outbox.tell_resident(ResidentMessage("1-2-1502", "139-0000-1502", "en", "快递已到",
                                         "Your parcel has arrived", "held_item"))
    assert outbox.deliver_due() == 2
    assert outbox.counts() == {"queued": 0, "sent": 2, "failed": 0}
    by_path = {ln["to"]: ln["body"] for ln in _lines(inbox)}
    assert by_path["/sms"]["to"] == "139-0000-1502"
    assert by_path["/sms"]["text"] == "Your parcel has arrived"
    staff = by_path["/staff/supervisor"]
    assert "Escalation 1: gas_alarm at 1-2-1502" in json.dumps(staff, ensure_ascii=False)
    engine.dispose()


def test_a_channel_of_the_sites_or_the_environments_own_is_left_alone(
        inbox: DemoInbox) -> None:
    site = NotifySite(roles={"manager": ("dingtalk://token",)}, sms_url="http://sms.example/")
    env = inbox.env(site, {"BUTLER_NOTIFY_SUPERVISOR": "mailto://duty@example.org"})
    assert "BUTLER_SMS_URL" not in env
    assert "BUTLER_NOTIFY_MANAGER" not in env and "BUTLER_NOTIFY_SUPERVISOR" not in env
    assert {f"BUTLER_NOTIFY_{r.upper()}" for r in NOTIFY_ROLES} - set(env) == {
        "BUTLER_NOTIFY_MANAGER", "BUTLER_NOTIFY_SUPERVISOR"}
