import time
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from config import load_site
from controlroom.alarms.models import TestReport
from controlroom.alarms.test_mode import covers, walk_report
from tests.controlroom.conftest import signal
from tests.utils import auth

SITE = load_site()


def test_scope_covers_a_device_its_flat_or_its_building() -> None:
    d = SITE.devices["btn-2-1-0304"]
    assert covers("device", "btn-2-1-0304", d)
    assert covers("unit", "2-1-0304", d)
    assert covers("building", "2", d)
    assert not covers("building", "1", d)
    assert not covers("unit", "2-1-0305", d)


def test_walk_report_lists_who_reported_and_who_did_not() -> None:
    devices = [SITE.devices["btn-1-1-0101"], SITE.devices["btn-1-1-0102"]]
    t0 = datetime(2026, 11, 22, 10, tzinfo=UTC)
    reports = [TestReport(window_id=1, device="btn-1-1-0101", kind="panic", condition=c,
                          at=t0 + timedelta(seconds=s)) for c, s in (("restored", 2),
                                                                     ("active", 1))]
    first, second = walk_report(devices, reports)
    assert (first.reported, first.first_at, first.signals) == (
        True, t0 + timedelta(seconds=1), ("panic/active", "panic/restored"))
    assert (second.device, second.reported, second.signals) == ("btn-1-1-0102", False, ())


def test_a_unit_on_test_reports_apart_never_latches_and_feeds_the_report(
        client: TestClient) -> None:
    maint = auth(client, "maintenance", "maintenance123")
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    r = client.post("/api/test-mode", headers=maint, json={
        "scope": "unit", "target": "1-1-0101", "minutes": 30, "reason": "annual walk test"})
    assert r.status_code == 201, r.text
    window = r.json()["id"]
    client.post("/api/gateway/signals", headers=gw,
                json=signal("btn-1-1-0101", "panic", 1, key="b:1:1/panic"))
    # A real alarm elsewhere is unaffected.
    client.post("/api/gateway/signals", headers=gw, json=signal("btn-1-1-0201", "panic", 1))
    real = client.get("/api/alerts?test=false", headers=op).json()["data"]
    tests = client.get("/api/alerts?test=true", headers=op).json()["data"]
    assert [a["device"] for a in real] == ["btn-1-1-0201"]
    assert [(a["device"], a["test"]) for a in tests] == [("btn-1-1-0101", True)]
    # The button's reset closes the test alert: nobody has to resolve a test.
    client.post("/api/gateway/signals", headers=gw,
                json=signal("btn-1-1-0101", "panic", 1, "restored", key="b:1:2/panic"))
    assert client.get("/api/alerts?test=true", headers=op).json()["count"] == 0
    report = client.get(f"/api/test-mode/{window}/report", headers=op).json()
    assert (report["devices"], report["reported"]) == (2, 1)
    assert report["silent"] == ["gas-1-1-0101"]
    btn = next(d for d in report["data"] if d["device"] == "btn-1-1-0101")
    assert btn["signals"] == ["panic/active", "panic/restored"]
    buttons = client.get(f"/api/test-mode/{window}/report?kind=panic_button", headers=op).json()
    assert (buttons["devices"], buttons["reported"], buttons["silent"]) == (1, 1, [])


def test_ending_a_window_resolves_its_open_test_alerts_and_returns_devices_to_service(
        client: TestClient) -> None:
    maint = auth(client, "maintenance", "maintenance123")
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    window = client.post("/api/test-mode", headers=maint, json={
        "scope": "building", "target": "2", "minutes": 10, "reason": "panel work"}).json()["id"]
    # One detector alarms and restores during the test; another is still in alarm at the end.
    client.post("/api/gateway/signals", headers=gw, json=signal("gas-2-1-0101"))
    client.post("/api/gateway/signals", headers=gw,
                json=signal("gas-2-1-0101", condition="restored", key="gas-2-1-0101:1:2/r"))
    client.post("/api/gateway/signals", headers=gw, json=signal("gas-2-1-0102"))
    ended = client.post(f"/api/test-mode/{window}/end", headers=maint)
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    assert client.get("/api/alerts?test=true", headers=op).json()["count"] == 0
    resolved = client.get("/api/alerts?state=resolved", headers=op).json()["data"]
    assert sorted((a["device"], a["cause"], a["test"]) for a in resolved) == [
        ("gas-2-1-0101", "test", True), ("gas-2-1-0102", "test", True)]
    # Back in service: the one still in alarm is a real alarm now, and signals count on it.
    live = client.get("/api/alerts?state=open", headers=op).json()["data"]
    assert [(a["device"], a["test"], a["condition"]) for a in live] == [
        ("gas-2-1-0102", False, "active")]
    again = client.post("/api/gateway/signals", headers=gw,
                        json=signal("gas-2-1-0102", key="gas-2-1-0102:1:9/gas_alarm")).json()
    assert (again["outcome"], again["alert"]["id"]) == ("repeat", live[0]["id"])
    assert client.get("/api/test-mode", headers=op).json()["count"] == 0


def _offline(device: str, condition: str = "active", n: int = 1) -> dict[str, object]:
    """The gateway's supervision signal: the device's last will (or its coming back)."""
    return signal(device, "device_offline", 2, condition, key=f"{device}:sup:{n}/offline")


def test_a_last_will_is_not_a_report_only_the_devices_own_test_signals_count(
        client: TestClient) -> None:
    maint = auth(client, "maintenance", "maintenance123")
    gw = auth(client, "gateway", "gateway123")
    window = client.post("/api/test-mode", headers=maint, json={
        "scope": "building", "target": "2", "minutes": 30, "reason": "walk test"}).json()["id"]
    # btn-2-1-0101 is taken off the network: its last will arrives. btn-2-1-0102 is pressed.
    assert client.post("/api/gateway/signals", headers=gw,
                       json=_offline("btn-2-1-0101")).status_code == 200
    for n, cond in enumerate(("active", "restored")):
        client.post("/api/gateway/signals", headers=gw,
                    json=signal("btn-2-1-0102", "panic", 1, cond, key=f"b2:{n}/panic"))
    report = client.get(f"/api/test-mode/{window}/report?kind=panic_button",
                        headers=maint).json()
    rows = {d["device"]: d for d in report["data"]}
    assert "btn-2-1-0101" in report["silent"]
    assert "btn-2-1-0102" not in report["silent"]
    assert (rows["btn-2-1-0101"]["reported"], rows["btn-2-1-0101"]["first_at"]) == (False, None)
    assert rows["btn-2-1-0101"]["signals"] == ["device_offline/active"]  # shown, not counted
    assert rows["btn-2-1-0102"]["reported"] is True
    assert report["reported"] == 1 and len(report["silent"]) == report["devices"] - 1


def _real_open(client: TestClient, op: dict[str, str], device: str) -> list[dict[str, object]]:
    return [a for a in client.get("/api/alerts?state=open&test=false&kind=device_offline",
                                  headers=op).json()["data"] if a["device"] == device]


def test_a_device_still_offline_when_its_test_is_ended_stands_as_a_real_alert(
        client: TestClient) -> None:
    maint = auth(client, "maintenance", "maintenance123")
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    window = client.post("/api/test-mode", headers=maint, json={
        "scope": "building", "target": "2", "minutes": 30, "reason": "walk test"}).json()["id"]
    client.post("/api/gateway/signals", headers=gw, json=_offline("btn-2-1-0101"))
    assert _real_open(client, op, "btn-2-1-0101") == []  # on test: shown apart
    assert client.post(f"/api/test-mode/{window}/end", headers=maint).status_code == 200
    [real] = _real_open(client, op, "btn-2-1-0101")
    assert (real["test"], real["state"], real["condition"], real["priority"]) == (
        False, "open", "active", 2)
    history = client.get(f"/api/alerts/{real['id']}", headers=op).json()["history"]
    assert f"still active when test window {window} ended" in history[0]["note"]
    # When the button comes back, its real alert says so (and, latching, waits for an operator).
    client.post("/api/gateway/signals", headers=gw, json=_offline("btn-2-1-0101", "restored", 2))
    back = client.get(f"/api/alerts/{real['id']}", headers=op).json()
    assert (back["state"], back["condition"]) == ("open", "restored")


def test_a_device_still_offline_when_its_test_expires_is_on_the_board_within_seconds(
        client: TestClient) -> None:
    maint = auth(client, "maintenance", "maintenance123")
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    client.post("/api/test-mode", headers=maint, json={
        "scope": "unit", "target": "2-1-0101", "minutes": 1, "reason": "walk test"})
    client.post("/api/gateway/signals", headers=gw, json=_offline("btn-2-1-0101"))
    assert _real_open(client, op, "btn-2-1-0101") == []
    # The window's minute is up (the test-mode clock moves on); the app's own sweep ends it.
    svc = client.app.state.test_mode  # type: ignore[attr-defined]
    svc.now = lambda: datetime.now(UTC) + timedelta(minutes=2)
    deadline = time.monotonic() + 60  # the sweep runs every 5 s; generous for a loaded machine
    while not (found := _real_open(client, op, "btn-2-1-0101")):
        assert time.monotonic() < deadline, "no real alert after the test window expired"
        time.sleep(0.2)
    assert (found[0]["test"], found[0]["condition"]) == (False, "active")
    assert client.get("/api/test-mode", headers=op).json()["count"] == 0


def test_test_mode_is_for_maintenance_and_checks_its_target(client: TestClient) -> None:
    op = auth(client, "operator", "operator123")
    maint = auth(client, "maintenance", "maintenance123")
    body = {"scope": "building", "target": "1", "minutes": 10, "reason": "x"}
    assert client.post("/api/test-mode", headers=op, json=body).status_code == 403
    bad = client.post("/api/test-mode", headers=maint, json=body | {"target": "9"})
    assert bad.status_code == 422 and "no building '9'" in bad.json()["detail"]
    long = client.post("/api/test-mode", headers=maint, json=body | {"minutes": 10_000})
    assert long.status_code == 422
    assert client.get("/api/test-mode/999/report", headers=op).status_code == 404


def test_a_window_returns_to_service_by_itself_when_its_time_is_up(db_url: str) -> None:
    import controlroom.tables  # noqa: F401  (every domain's tables on Base.metadata)
    from controlroom.alarms.test_mode import TestModeService
    from controlroom.core.db import Base, make_engine, make_sessionmaker

    engine = make_engine(db_url)
    if engine.dialect.name == "sqlite":
        Base.metadata.create_all(engine)
    clock = [datetime(2026, 11, 22, 10, tzinfo=UTC)]
    svc = TestModeService(make_sessionmaker(engine), SITE, now=lambda: clock[0])
    w = svc.start("device", "btn-1-1-0101", 5, "battery swap", "maintenance")
    clock[0] += timedelta(minutes=4)
    svc.expire()
    assert [x.id for x in svc.list(active_only=True)] == [w.id]
    clock[0] += timedelta(minutes=2)
    svc.expire()
    assert svc.list(active_only=True) == []
    assert svc.get(w.id).ended_at == clock[0]


def test_a_device_still_on_test_in_another_window_is_handed_over_when_that_one_ends(
        client: TestClient) -> None:
    maint = auth(client, "maintenance", "maintenance123")
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    start = {"minutes": 30, "reason": "walk test"}
    building = client.post("/api/test-mode", headers=maint,
                           json=start | {"scope": "building", "target": "2"}).json()["id"]
    unit = client.post("/api/test-mode", headers=maint,
                       json=start | {"scope": "unit", "target": "2-1-0101"}).json()["id"]
    client.post("/api/gateway/signals", headers=gw, json=_offline("btn-2-1-0101"))
    client.post(f"/api/test-mode/{unit}/end", headers=maint)
    # The building is still on test: the button's offline stays a test event.
    assert _real_open(client, op, "btn-2-1-0101") == []
    [still] = client.get("/api/alerts?test=true", headers=op).json()["data"]
    assert (still["device"], still["state"]) == ("btn-2-1-0101", "open")
    client.post(f"/api/test-mode/{building}/end", headers=maint)
    [real] = _real_open(client, op, "btn-2-1-0101")
    assert (real["test"], real["condition"]) == (False, "active")
