from datetime import timedelta

from fastapi.testclient import TestClient

from config import load_site
from controlroom.alarms.flood import FLOOD_THRESHOLD, flood_meter
from tests.controlroom.conftest import T0, Clock, signal
from tests.utils import auth

MIN = timedelta(minutes=1)
BUTTONS = sorted(d for d in load_site().devices if d.startswith("btn-"))[:12]


def test_an_empty_hour_is_six_empty_ten_minute_buckets() -> None:
    meter = flood_meter([], T0)
    assert (meter.current, meter.flood) == (0, False)
    assert [(b.start, b.end, b.count) for b in meter.buckets] == [
        (T0 - 10 * MIN * i, T0 - 10 * MIN * (i - 1), 0) for i in range(6, 0, -1)]


def test_more_than_ten_alarms_in_ten_minutes_is_a_flood() -> None:
    assert FLOOD_THRESHOLD == 10
    assert not flood_meter([T0 - MIN] * 10, T0).flood
    meter = flood_meter([T0 - MIN] * 11, T0)
    assert (meter.current, meter.flood) == (11, True)


def test_alarms_fall_into_the_bucket_of_their_time() -> None:
    raised = [T0, T0 - 10 * MIN, T0 - 15 * MIN, T0 - 59 * MIN, T0 - 60 * MIN, T0 - 90 * MIN]
    meter = flood_meter(raised, T0)
    # Each bucket holds (start, end]: an alarm exactly 10 minutes old is in the previous one.
    assert [b.count for b in meter.buckets] == [1, 0, 0, 0, 2, 1]
    assert meter.current == 1


def test_the_flood_meter_counts_real_alerts_per_ten_minutes(clocked_client: TestClient,
                                                            clock: Clock) -> None:
    gw = auth(clocked_client, "gateway", "gateway123")
    op = auth(clocked_client, "operator", "operator123")
    for device in BUTTONS[:11]:
        clock.advance(seconds=30)
        r = clocked_client.post("/api/gateway/signals", headers=gw, json=signal(device, "panic"))
        assert r.status_code == 200, r.text
    r = clocked_client.post("/api/gateway/signals", headers=gw,
                            json=signal(BUTTONS[11], "panic") | {"test": True})
    assert r.json()["alert"]["test"] is True
    r = clocked_client.get("/api/kpis/flood", headers=op)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {k: body[k] for k in ("window_minutes", "current", "flood", "threshold")} == {
        "window_minutes": 10, "current": 11, "flood": True, "threshold": 10}
    assert [b["count"] for b in body["buckets"]] == [0, 0, 0, 0, 0, 11]
    clock.advance(minutes=10)
    later = clocked_client.get("/api/kpis/flood", headers=op).json()
    assert (later["current"], later["flood"]) == (0, False)
    assert [b["count"] for b in later["buckets"]] == [0, 0, 0, 0, 11, 0]


def test_the_flood_meter_is_for_roles_that_read_alerts(client: TestClient) -> None:
    assert client.get("/api/kpis/flood").status_code == 401
    desk = auth(client, "frontdesk", "frontdesk123")
    assert client.get("/api/kpis/flood", headers=desk).status_code == 403
    for user in ("operator", "supervisor", "maintenance", "admin"):
        r = client.get("/api/kpis/flood", headers=auth(client, user, f"{user}123"))
        assert r.status_code == 200, (user, r.text)
