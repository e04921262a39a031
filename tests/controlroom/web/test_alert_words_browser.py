"""Issue 19, item 10: every fixed sentence the control room and the gateway write into an
alert's history, and every detail field they set, is shown in the console's words.

The sentences are made by the real code (the alert service on a hand clock: escalation,
flapping, a building incident, dispatch and resolve; the gateway's valve notes), then put
through the console's own module pages/alert_words.js in headless Chromium. A sentence
changed on the server without its pattern fails here.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from gateway.valves import Valves
from tests.controlroom.conftest import T0, Service
from tests.support.browser import CHROMIUM, REPO

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

WEB = REPO / "controlroom" / "web"
ORIGIN = "http://console.test"  # the console's files served from WEB, as /static/ on a page


def serve_web(route: Any) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path.startswith("/static/"):
        kind = "application/json" if path.endswith(".json") else "text/javascript"
        route.fulfill(path=str(WEB / path.removeprefix("/static/")),
                      content_type=f"{kind}; charset=utf-8")
    else:
        route.fulfill(body="<!doctype html><html><body></body></html>",
                      content_type="text/html; charset=utf-8")
ENGLISH = re.compile(r"[A-Za-z]{3,}")  # a word of English left in the Chinese console


def valve_notes(device: str) -> list[tuple[str, dict[str, object]]]:
    """The gateway's three valve notes, as gateway/valves.py words them."""
    sig = type("Sig", (), {"kind": "gas_alarm", "condition": "active", "device": device})()
    out = []
    for ack in ({"ok": True}, {"ok": False, "error": "E42"}, None):
        valves = Valves(enabled=True)
        cmd = valves.on_signal(sig, "gas_detector", 1000.0)  # type: ignore[arg-type]
        assert cmd is not None
        note = (valves.on_ack(device, json.dumps({"id": cmd.id, **ack}).encode()) if ack
                else valves.expire(1000.0 + 60)[0])
        assert note is not None
        out.append((note.note, note.detail))
    return out


def made_history(service: Service) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """History entries and alert details made by the real alert service."""
    alerts = service.alerts
    gas = service.signal("gas-1-1-0101")
    service.clock.advance(seconds=40)
    service.signal("gas-1-1-0201")  # a second flat of the building: an incident
    service.clock.advance(seconds=10)
    service.signal("gas-1-1-0301")  # a third: linked to that incident
    alerts.escalate_due(T0 + timedelta(seconds=30))  # the first alarm, unacknowledged
    for note, detail in valve_notes("gas-1-1-0101"):
        alerts.note("gas-1-1-0101", "gas_alarm", note, detail)
    alerts.act(gas, "dispatch", "operator", to="保安巡逻 张师傅", note="两分钟到")  # type: ignore[arg-type]
    alerts.act(gas, "resolve", "operator", cause="false_alarm", note="厨房烧焦")  # type: ignore[arg-type]
    service.clock.advance(seconds=5)
    service.signal("gas-1-1-0101", condition="restored")  # the restore after that resolve
    # A button still pressed when its test window ends: handed over as a real alert.
    window = alerts.test_mode.start("device", "btn-1-1-0401", 5, "walk test", "maintenance")
    service.signal("btn-1-1-0401", "panic", test=True)
    alerts.test_mode.end(window.id, "maintenance")
    for _ in range(4):  # a chattering tamper switch
        service.signal("btn-1-1-0301", "tamper", priority=3)
        service.clock.advance(seconds=30)
        service.signal("btn-1-1-0301", "tamper", priority=3, condition="restored")
    rows, _ = alerts.list(state="all")
    history, details = [], []
    for row in rows:
        full = alerts.get(row.id)
        details.append(full.detail)
        history += [{"action": h.action, "note": h.note} for h in full.history if h.note]
    return history, details


def test_every_fixed_sentence_and_field_is_shown_in_the_consoles_words(
        browser: Any, service: Service) -> None:
    history, details = made_history(service)
    actions = {h["action"] for h in history}
    assert {"escalated", "note", "linked", "raised", "dispatched", "resolved", "flapping"} <= \
        actions, actions  # every kind of fixed sentence was made

    page = browser.new_page()
    try:
        page.route(f"{ORIGIN}/**", serve_web)
        page.goto(f"{ORIGIN}/")
        shown = page.evaluate("""async ([history, details]) => {
            const W = await import('/static/pages/alert_words.js');
            const causeLabel = (c) => ({ false_alarm: '误报' })[c] || c;
            const fmtTime = (v, mode) => `T(${v})`;
            return {
              zh: history.map((h) => W.note(h, { lang: 'zh', causeLabel, plan: null })),
              en: history.map((h) => W.note(h, { lang: 'en', causeLabel: (c) => c, plan: null })),
              fields: details.map((d) => W.details(d, { lang: 'zh', fmtTime })),
            };
        }""", [history, details])
    finally:
        page.close()

    for h, zh, en in zip(history, shown["zh"], shown["en"], strict=True):
        left = ENGLISH.findall(zh)
        assert not left, f"{h} shown in the Chinese console as {zh!r}"
        assert en and en != zh, (h, en)
    assert "派往：保安巡逻 张师傅 — 两分钟到" in shown["zh"]
    assert "原因：误报 — 仍在报警 — 厨房烧焦" in shown["zh"]
    assert "燃气阀未能关闭：E42" in shown["zh"]
    for pairs in shown["fields"]:
        for label, value, field in pairs:
            assert not ENGLISH.search(label), f"field {field!r} labelled {label!r}"
            if field in ("valve", "reason"):
                assert not ENGLISH.search(value), f"{field} = {value!r}"
