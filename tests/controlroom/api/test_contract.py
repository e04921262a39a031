"""The alarm API's contract (ARCHITECTURE §7 and the issue-5 additions), call by call, from
tables: who may call what (401 without a token, 403 for every other role), what a good call
answers (every field §7 names, times in ISO 8601 UTC), what a bad body gets (422 naming the
field and what to send) and what an unknown id gets (404).

One app for the module; every call that changes an alert works on an alert of its own.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from config import Settings, load_site
from controlroom.app import create_app
from tests.controlroom.conftest import _passwords
from tests.support.stack import Stack

PASSWORDS = {"operator": "operator123", "supervisor": "supervisor123",
             "frontdesk": "frontdesk123", "maintenance": "maintenance123",
             "admin": "admin123", "gateway": "gateway123", "kiosk-1": "kiosk1-secret"}
ROLE_USER = {"operator": "operator", "supervisor": "supervisor", "frontdesk": "frontdesk",
             "maintenance": "maintenance", "admin": "admin", "gateway": "gateway",
             "kiosk": "kiosk-1"}
ROLES = tuple(ROLE_USER)
READ = ("operator", "supervisor", "maintenance", "admin")
ACT = ("operator", "supervisor", "admin")
TEST_MANAGERS = ("maintenance", "supervisor", "admin")
GATEWAY = ("gateway",)
UNIT_READERS = ("operator", "supervisor", "admin", "frontdesk", "maintenance", "kiosk")

# §7: "Alert JSON has at least ..."
ALERT_FIELDS = {"id", "kind", "priority", "state", "condition", "site", "building", "unit",
                "device", "raised_at", "updated_at", "acknowledged_at", "resolved_at", "cause",
                "occurrences", "escalation", "test"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")
TIME_KEYS = {"since", "until", "now", "start", "end", "last_seen", "shift_start", "shift_end",
             "ends_at", "first_at", "at"}
UNKNOWN = 987654


# -- the world the calls run in ----------------------------------------------------------------


class World:
    """The app, a token per role, and fresh alerts on demand (one device each)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens = {role: self._login(user) for role, user in ROLE_USER.items()}
        site = load_site()
        gas = sorted(d.id for d in site.devices.values() if d.kind == "gas_detector")
        self._gas = iter(gas)
        self._keys = itertools.count(1)
        # An open gas alarm in 1-1-0101 (building 1) and a resolved one: every list filter
        # has something to find, and refusals are tried on an alert that exists.
        self.existing = self.alert()
        self.resolved = self.alert("resolved")
        self.window = self.start_window("unit", "2-1-0102")

    def _login(self, user: str) -> str:
        r = self.client.post("/api/auth/token",
                             data={"username": user, "password": PASSWORDS[user]})
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def signal_body(self, device: str, kind: str = "gas_alarm", priority: int = 1
                    ) -> dict[str, Any]:
        return {"key": f"contract:{next(self._keys)}", "device": device, "kind": kind,
                "priority": priority, "condition": "active",
                "observed_at": datetime.now(UTC).isoformat(), "detail": {"lel": 27.5}}

    def fresh_device(self) -> str:
        return next(self._gas)

    def alert(self, state: str = "open") -> int:
        """A new gas alarm on a device of its own, taken to `state`."""
        r = self.client.post("/api/gateway/signals", headers=self.headers("gateway"),
                             json=self.signal_body(self.fresh_device()))
        assert r.status_code == 200, r.text
        alert_id = int(r.json()["alert"]["id"])
        op = self.headers("operator")
        if state in ("acknowledged", "dispatched", "resolved"):
            assert self.client.post(f"/api/alerts/{alert_id}/ack", headers=op,
                                    json={}).status_code == 200
        if state == "dispatched":
            assert self.client.post(f"/api/alerts/{alert_id}/dispatch", headers=op,
                                    json={"to": "guard"}).status_code == 200
        if state == "resolved":
            assert self.client.post(f"/api/alerts/{alert_id}/resolve", headers=op,
                                    json={"cause": "real"}).status_code == 200
        return alert_id

    def start_window(self, scope: str, target: str) -> int:
        r = self.client.post("/api/test-mode", headers=self.headers("maintenance"),
                             json={"scope": scope, "target": target, "minutes": 30,
                                   "reason": "annual walk test"})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    site = load_site()
    tmp = tmp_path_factory.mktemp("contract")
    settings = Settings(f"sqlite:///{tmp}/cr.db", site.mqtt_url, "http://testserver")
    with TestClient(create_app(site, settings, _passwords())) as c:
        yield World(c)


# -- the calls ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One call of the API: how to make a good one, who may, and what a good answer holds."""

    name: str
    method: str
    path: str  # {alert}: an alert (in state `alert_state`), {window}: a test window
    roles: tuple[str, ...]
    body: Callable[[World], dict[str, Any] | None] = lambda w: None
    status: int = 200
    fields: frozenset[str] = frozenset()
    check: Callable[[World, Any], None] = lambda w, body: None
    params: dict[str, str] = field(default_factory=dict)
    alert_state: str = "open"
    own_window: bool = False  # the call ends the window: a good call needs one of its own

    def url(self, w: World, fresh: bool = False, alert_state: str | None = None) -> str:
        """The path; with `fresh`, on a new alert (or window) for a call that changes it."""
        alert = w.alert(alert_state or self.alert_state) if fresh else w.existing
        window = (w.start_window("device", "btn-1-1-0104") if fresh and self.own_window
                  else w.window)
        return self.path.format(alert=alert, window=window)

    def send(self, w: World, role: str | None, *, fresh: bool = False, path: str | None = None,
             body: Any = None, params: dict[str, str] | None = None) -> httpx.Response:
        payload = self.body(w) if body is None else body
        kw: dict[str, Any] = {"headers": w.headers(role),
                              "params": self.params if params is None else params}
        if payload is not None:
            kw["json"] = payload
        return w.client.request(self.method, path or self.url(w, fresh), **kw)


def _alert_shape(w: World, a: dict[str, Any]) -> None:
    assert set(a) >= ALERT_FIELDS, ALERT_FIELDS - set(a)
    assert a["priority"] in (1, 2, 3, 4)
    assert a["state"] in ("open", "acknowledged", "dispatched", "resolved")
    assert a["condition"] in ("active", "restored")


def _each_alert(w: World, body: dict[str, Any]) -> None:
    assert body["count"] >= len(body["data"]) > 0
    for a in body["data"]:
        _alert_shape(w, a)


def _list_check(expect: Callable[[dict[str, Any]], bool]) -> Callable[[World, Any], None]:
    def check(w: World, body: dict[str, Any]) -> None:
        _each_alert(w, body)
        assert all(expect(a) for a in body["data"]), body["data"]
    return check


def _history_check(action: str) -> Callable[[World, Any], None]:
    def check(w: World, a: dict[str, Any]) -> None:
        _alert_shape(w, a)
        last = a["history"][-1]
        assert (last["action"], set(last)) == (action, {"id", "at", "actor", "action", "note"})
    return check


def _state_check(state: str) -> Callable[[World, Any], None]:
    def check(w: World, a: dict[str, Any]) -> None:
        _alert_shape(w, a)
        assert a["state"] == state
    return check


def _plan_check(done: int) -> Callable[[World, Any], None]:
    def check(w: World, p: dict[str, Any]) -> None:
        assert (p["kind"], p["total"], p["done"]) == ("gas_alarm", 6, done)
        assert set(p["steps"][0]) == {"n", "zh", "en", "ticked_at", "ticked_by"}
    return check


KPI_FIELDS = frozenset({"since", "until", "total", "priorities", "by_kind", "by_cause",
                        "devices"})

CALLS = [
    Call("list open alerts", "GET", "/api/alerts", READ,
         params={"state": "open"}, fields=frozenset({"data", "count"}),
         check=_list_check(lambda a: a["state"] != "resolved")),
    Call("list all alerts", "GET", "/api/alerts", READ, params={"state": "all"},
         fields=frozenset({"data", "count"}),
         check=_list_check(lambda a: True)),
    Call("list by priority", "GET", "/api/alerts", READ, params={"priority": "1"},
         check=_list_check(lambda a: a["priority"] == 1)),
    Call("list by building", "GET", "/api/alerts", READ, params={"building": "1"},
         check=_list_check(lambda a: a["building"] == "1")),
    Call("list by unit", "GET", "/api/alerts", READ, params={"unit": "1-1-0101"},
         check=_list_check(lambda a: a["unit"] == "1-1-0101")),
    Call("list by kind", "GET", "/api/alerts", READ, params={"kind": "gas_alarm"},
         check=_list_check(lambda a: a["kind"] == "gas_alarm")),
    Call("read one alert", "GET", "/api/alerts/{alert}", READ, check=_history_check("raised")),
    Call("acknowledge", "POST", "/api/alerts/{alert}/ack", ACT, lambda w: {"note": "seen"},
         check=_state_check("acknowledged")),
    Call("dispatch", "POST", "/api/alerts/{alert}/dispatch", ACT,
         lambda w: {"to": "guard Li", "note": "2 min"}, check=_state_check("dispatched")),
    Call("resolve", "POST", "/api/alerts/{alert}/resolve", ACT,
         lambda w: {"cause": "real", "note": "valve shut"}, check=_state_check("resolved"),
         alert_state="dispatched"),
    Call("note", "POST", "/api/alerts/{alert}/note", ACT, lambda w: {"note": "rang the flat"},
         check=_history_check("note")),
    Call("assign", "POST", "/api/alerts/{alert}/assign", ACT, lambda w: {"to": "supervisor"},
         check=_history_check("assigned")),
    Call("read the plan", "GET", "/api/alerts/{alert}/plan", READ, check=_plan_check(0)),
    Call("tick a plan step", "POST", "/api/alerts/{alert}/plan/1/tick", ACT,
         check=_plan_check(1)),
    Call("list devices", "GET", "/api/devices", READ,
         fields=frozenset({"data", "count"}),
         check=lambda w, b: set(b["data"][0]) >= {"id", "kind", "unit", "online", "last_seen",
                                                  "battery"}),
    Call("read a flat", "GET", "/api/units/1-2-1502", UNIT_READERS,
         fields=frozenset({"unit", "building", "entrance", "floor", "devices", "residents",
                           "masked"})),
    Call("start a test window", "POST", "/api/test-mode", TEST_MANAGERS,
         lambda w: {"scope": "unit", "target": "1-1-0101", "minutes": 10, "reason": "battery"},
         status=201, fields=frozenset({"id", "scope", "target", "reason", "started_by",
                                       "started_at", "ends_at", "ended_at"})),
    Call("list test windows", "GET", "/api/test-mode", READ,
         fields=frozenset({"data", "count"})),
    Call("walk-test report", "GET", "/api/test-mode/{window}/report", READ,
         fields=frozenset({"window", "devices", "reported", "silent", "data"})),
    Call("end a test window", "POST", "/api/test-mode/{window}/end", TEST_MANAGERS,
         check=lambda w, b: b["ended_at"] is not None, own_window=True),
    Call("key figures", "GET", "/api/kpis", READ,
         fields=KPI_FIELDS | {"targets", "flood"}),
    Call("flood meter", "GET", "/api/kpis/flood", READ,
         fields=frozenset({"window_minutes", "current", "flood", "threshold", "buckets"})),
    Call("shift gauges", "GET", "/api/kpis/shift", READ,
         fields=frozenset({"shift_start", "shift_end", "now", "timezone", "figures",
                           "open_unacknowledged", "oldest_unacknowledged_s", "targets"})),
    Call("key figures as CSV", "GET", "/api/kpis.csv", READ),
    Call("gateway signal", "POST", "/api/gateway/signals", GATEWAY,
         lambda w: w.signal_body(w.fresh_device()),
         fields=frozenset({"outcome", "duplicate", "alert"}),
         check=lambda w, b: _alert_shape(w, b["alert"])),
    Call("gateway note", "POST", "/api/gateway/alerts/note", GATEWAY,
         lambda w: {"device": "gas-1-1-0101", "kind": "gas_alarm", "note": "valve closed",
                    "detail": {"valve": "closed"}},
         check=lambda w, b: (_alert_shape(w, b), b["detail"]["valve"] == "closed")),
    Call("gateway device health", "POST", "/api/gateway/devices", GATEWAY,
         lambda w: {"devices": [{"id": "gas-1-1-0101", "online": True, "battery": 80,
                                 "last_seen": "2026-11-22T10:00:00Z"}]},
         fields=frozenset({"updated", "unknown"})),
]
BY_NAME = {c.name: c for c in CALLS}


def _times_are_utc(value: Any, key: str = "") -> None:
    """Every time anywhere in the answer is ISO 8601 with a UTC offset."""
    if isinstance(value, dict):
        for k, v in value.items():
            _times_are_utc(v, k)
    elif isinstance(value, list):
        for v in value:
            _times_are_utc(v, key)
    elif isinstance(value, str) and (key.endswith("_at") or key in TIME_KEYS):
        assert ISO_UTC.match(value), f"{key}: {value!r} is not ISO 8601 UTC"


# -- tests -------------------------------------------------------------------------------------


def test_a_token_is_had_for_a_username_and_password_and_refused_for_a_wrong_one(
        world: World) -> None:
    r = world.client.post("/api/auth/token",
                          data={"username": "operator", "password": "operator123"})
    assert r.status_code == 200
    body = r.json()
    assert (body["token_type"], body["role"], body["name"]) == ("bearer", "operator", "王值班")
    assert body["access_token"]
    bad = world.client.post("/api/auth/token", data={"username": "operator", "password": "x"})
    assert (bad.status_code, bad.json()) == (401, {"detail": "wrong username or password"})
    assert bad.headers["WWW-Authenticate"] == "Bearer"
    missing = world.client.post("/api/auth/token", data={"username": "operator"})
    assert missing.status_code == 422
    assert missing.json()["detail"] == "password: Field required (send it)"


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
def test_a_good_call_answers_every_field_with_utc_times(world: World, call: Call) -> None:
    r = call.send(world, call.roles[0], fresh=True)
    assert r.status_code == call.status, r.text
    if call.path.endswith(".csv"):
        assert r.headers["content-type"].startswith("text/csv")
        assert r.text.startswith("section,key,count,")
        return
    body = r.json()
    assert call.fields <= set(body), call.fields - set(body)
    call.check(world, body)
    _times_are_utc(body)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
def test_a_call_without_a_token_is_401(world: World, call: Call) -> None:
    r = call.send(world, None)
    assert r.status_code == 401, r.text
    assert r.json()["detail"] == "not signed in: send a bearer token"
    assert r.headers["WWW-Authenticate"] == "Bearer"
    junk = world.client.request(call.method, call.url(world),
                                headers={"Authorization": "Bearer not.a.token"})
    assert junk.status_code == 401
    assert junk.json()["detail"].startswith("invalid token")


REFUSALS = [(c, role) for c in CALLS for role in ROLES if role not in c.roles]


@pytest.mark.parametrize("call,role", REFUSALS, ids=[f"{c.name}-{r}" for c, r in REFUSALS])
def test_a_role_not_allowed_is_403_and_told_which_roles_are(world: World, call: Call,
                                                            role: str) -> None:
    r = call.send(world, role)
    assert r.status_code == 403, r.text
    detail = r.json()["detail"]
    assert detail.startswith(f"role {role!r} may not do this; needs one of ")
    assert all(allowed in detail for allowed in call.roles)


# (call, body or query, the field the detail must name, a word of what to do)
BAD = [
    ("acknowledge", {"note": 7}, "note", "valid string"),
    ("acknowledge", {"nope": 1}, "nope", "leave it out"),
    ("acknowledge", {"note": "x" * 2001}, "note", "at most 2000"),
    ("dispatch", {}, "to", "send it"),
    ("dispatch", {"to": ""}, "to", "at least 1 character"),
    ("resolve", {}, "cause", "send it"),
    ("resolve", {"cause": "bored"}, "cause", "'real', 'false_alarm', 'test'"),
    ("note", {"note": ""}, "note", "at least 1 character"),
    ("assign", {"to": "frontdesk"}, "to", "give the username"),
    ("assign", {}, "to", "send it"),
    ("start a test window", {"scope": "flat", "target": "1", "minutes": 5, "reason": "r"},
     "scope", "'device', 'unit' or 'building'"),
    ("start a test window", {"scope": "unit", "target": "1-1-0101", "minutes": 0,
                             "reason": "r"}, "minutes", "greater than or equal to 1"),
    ("start a test window", {"scope": "unit", "target": "1-1-0101", "minutes": 481,
                             "reason": "r"}, "minutes", "less than or equal to 480"),
    ("start a test window", {"scope": "unit", "target": "9-9-9999", "minutes": 5,
                             "reason": "r"}, "target", "give a device id"),
    ("start a test window", {"scope": "unit", "target": "1-1-0101", "minutes": 5},
     "reason", "send it"),
    ("gateway signal", {"key": "k", "device": "gas-1-1-0101", "kind": "gas_alarm",
                        "priority": 9, "condition": "active",
                        "observed_at": "2026-11-22T10:00:00Z"}, "priority", "less than"),
    ("gateway signal", {"key": "k2", "device": "gas-9-9-9999", "kind": "gas_alarm",
                        "priority": 1, "condition": "active",
                        "observed_at": "2026-11-22T10:00:00Z"}, "device", "not registered"),
    ("gateway signal", {"key": "k3", "device": "gas-1-1-0101", "kind": "gas_alarm",
                        "priority": 1, "condition": "on",
                        "observed_at": "2026-11-22T10:00:00Z"}, "condition", "'active'"),
    ("gateway note", {"kind": "gas_alarm", "note": "n"}, "device", "send it"),
    ("gateway device health", {"devices": [{"id": "gas-1-1-0101", "battery": 101}]},
     "devices.0.battery", "less than or equal to 100"),
]
BAD_QUERIES = [
    ("list open alerts", {"state": "closed"}, "state", "'open'"),
    ("list by priority", {"priority": "9"}, "priority", "less than or equal to 4"),
    ("list by priority", {"priority": "high"}, "priority", "valid integer"),
    ("list open alerts", {"limit": "0"}, "limit", "greater than or equal to 1"),
    ("key figures", {"since": "2026-11-22T10:00:00Z", "until": "2026-11-21T10:00:00Z"},
     "since", "must be before until"),
    ("key figures", {"since": "yesterday"}, "since", "valid datetime"),
]


@pytest.mark.parametrize("name,body,field_name,hint", BAD,
                         ids=[f"{n}-{f}-{i}" for i, (n, _, f, _) in enumerate(BAD)])
def test_a_bad_body_is_422_naming_the_field_and_what_to_send(
        world: World, name: str, body: dict[str, Any], field_name: str, hint: str) -> None:
    call = BY_NAME[name]
    r = call.send(world, call.roles[0], body=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str)
    assert detail.startswith(f"{field_name}: ") or f"; {field_name}: " in detail, detail
    assert hint in detail, detail


@pytest.mark.parametrize("name,query,field_name,hint", BAD_QUERIES,
                         ids=[f"{n}-{f}" for n, _, f, _ in BAD_QUERIES])
def test_a_bad_query_is_422_naming_the_parameter(world: World, name: str,
                                                 query: dict[str, str], field_name: str,
                                                 hint: str) -> None:
    call = BY_NAME[name]
    r = call.send(world, call.roles[0], params=query)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert field_name in detail and hint in detail, detail


def test_a_body_that_is_not_json_is_422_saying_so(world: World) -> None:
    alert_id = world.alert()
    r = world.client.post(f"/api/alerts/{alert_id}/ack", headers={
        **world.headers("operator"), "Content-Type": "application/json"}, content=b"{note:")
    assert r.status_code == 422
    assert r.json()["detail"].startswith("body: JSON decode error (send the body as JSON)")
    assert isinstance(r.json()["errors"], list)


# (call, path on an unknown id, body)
UNKNOWN_IDS = [
    ("read one alert", f"/api/alerts/{UNKNOWN}", None),
    ("acknowledge", f"/api/alerts/{UNKNOWN}/ack", {}),
    ("dispatch", f"/api/alerts/{UNKNOWN}/dispatch", {"to": "guard"}),
    ("resolve", f"/api/alerts/{UNKNOWN}/resolve", {"cause": "real"}),
    ("note", f"/api/alerts/{UNKNOWN}/note", {"note": "n"}),
    ("assign", f"/api/alerts/{UNKNOWN}/assign", {"to": "operator"}),
    ("read the plan", f"/api/alerts/{UNKNOWN}/plan", None),
    ("tick a plan step", f"/api/alerts/{UNKNOWN}/plan/1/tick", None),
    ("read a flat", "/api/units/9-9-9999", None),
    ("walk-test report", f"/api/test-mode/{UNKNOWN}/report", None),
    ("end a test window", f"/api/test-mode/{UNKNOWN}/end", None),
]


@pytest.mark.parametrize("name,path,body", UNKNOWN_IDS, ids=[n for n, _, _ in UNKNOWN_IDS])
def test_an_unknown_id_is_404_saying_what_was_not_found(world: World, name: str, path: str,
                                                        body: Any) -> None:
    call = BY_NAME[name]
    r = call.send(world, call.roles[0], path=path, body=body)
    assert r.status_code == 404, r.text
    detail = r.json()["detail"]
    assert detail.startswith("no "), detail
    assert str(UNKNOWN) in detail or "9-9-9999" in detail


def test_a_missing_plan_step_and_a_gateway_note_with_nothing_open_are_404(world: World) -> None:
    alert_id = world.alert()
    r = world.client.post(f"/api/alerts/{alert_id}/plan/7/tick", headers=world.headers("admin"))
    assert (r.status_code, r.json()["detail"]) == (
        404, "the gas_alarm plan has no step 7 (steps 1 to 6)")
    r = world.client.post("/api/gateway/alerts/note", headers=world.headers("gateway"),
                          json={"device": "btn-2-1-0104", "kind": "panic", "note": "n"})
    assert (r.status_code, r.json()["detail"]) == (404, "no open panic alert for device "
                                                        "btn-2-1-0104")


def test_an_id_too_large_for_the_database_is_422_not_a_crash(world: World) -> None:
    r = world.client.get(f"/api/alerts/{2**70}", headers=world.headers("operator"))
    assert r.status_code == 422
    assert r.json()["detail"].startswith("alert_id: Input should be less than or equal to")


# (call, state the alert is in first, body)
CONFLICTS = [
    ("acknowledge", "acknowledged", {}),
    ("acknowledge", "resolved", {}),
    ("dispatch", "resolved", {"to": "guard"}),
    ("resolve", "resolved", {"cause": "real"}),
    ("assign", "resolved", {"to": "operator"}),
    ("tick a plan step", "resolved", None),
]


@pytest.mark.parametrize("name,state,body", CONFLICTS, ids=[f"{n}-{s}" for n, s, _ in CONFLICTS])
def test_a_change_the_state_does_not_allow_is_409(world: World, name: str, state: str,
                                                  body: Any) -> None:
    call = BY_NAME[name]
    r = call.send(world, "operator", path=call.url(world, fresh=True, alert_state=state),
                  body=body)
    assert r.status_code == 409, r.text
    assert r.json()["detail"]


def test_ticking_a_step_twice_is_409_naming_who_ticked_it(world: World) -> None:
    alert_id = world.alert()
    url = f"/api/alerts/{alert_id}/plan/2/tick"
    assert world.client.post(url, headers=world.headers("supervisor")).status_code == 200
    r = world.client.post(url, headers=world.headers("operator"))
    assert r.status_code == 409
    assert r.json()["detail"].startswith("step 2 was ticked by supervisor at ")


def test_the_flat_is_shown_in_full_to_operators_and_masked_to_the_front_desk(
        world: World) -> None:
    full = world.client.get("/api/units/2-1-0101", headers=world.headers("operator")).json()
    masked = world.client.get("/api/units/2-1-0101", headers=world.headers("frontdesk")).json()
    assert (full["masked"], full["residents"][0]["name"]) == (False, "孙玉珍")
    assert (masked["masked"], masked["residents"][0]["name"], masked["residents"][0]["phone"]
            ) == (True, "孙*", None)


def test_public_calls_need_no_token(world: World) -> None:
    health = world.client.get("/api/health").json()
    assert health["status"] == "ok"
    site = world.client.get("/api/site").json()
    assert set(site) == {"id", "name_zh", "name_en", "hotline", "timezone"}
    assert site["timezone"] == "Asia/Shanghai"  # the site file's: the console draws times in it


# -- the stream, against a real process (the test client cannot end an endless response) --------


@pytest.mark.parametrize("role,status", [(None, 401), ("frontdesk", 403), ("gateway", 403),
                                         ("kiosk", 403)])
def test_the_stream_refuses_without_a_token_and_for_other_roles(world: World, role: str | None,
                                                                status: int) -> None:
    r = world.client.get("/api/alerts/stream", headers=world.headers(role))
    assert r.status_code == status
    assert r.json()["detail"]


def test_the_stream_sends_an_alert_event_with_the_alert_json(controlroom_process: Stack,
                                                             tmp_path: Path) -> None:
    url = controlroom_process.api_url

    def token(user: str) -> str:
        r = httpx.post(f"{url}/api/auth/token",
                       data={"username": user, "password": PASSWORDS[user]})
        return str(r.json()["access_token"])

    gw = {"Authorization": f"Bearer {token('gateway')}"}
    r = httpx.post(f"{url}/api/gateway/signals", headers=gw, json={
        "key": "contract:stream", "device": "btn-2-1-0103", "kind": "panic", "priority": 1,
        "condition": "active", "observed_at": datetime.now(UTC).isoformat()})
    alert_id = r.json()["alert"]["id"]
    seen: dict[str, Any] = {}
    with httpx.stream("GET", f"{url}/api/alerts/stream",
                      headers={"Authorization": f"Bearer {token('operator')}",
                               "Last-Event-ID": "0"},
                      timeout=httpx.Timeout(10.0)) as s:
        assert s.status_code == 200
        assert s.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in s.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "alert":
                a = json.loads(line[5:])
                if a["id"] == alert_id:
                    seen = a
                    break
    assert set(seen) >= ALERT_FIELDS
    _times_are_utc(seen)
