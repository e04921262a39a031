from datetime import timedelta

from fastapi.testclient import TestClient

from controlroom.alarms.flapping import FLAP_COUNT, FLAP_WINDOW, is_flapping
from tests.controlroom.conftest import T0, Clock, Service, signal
from tests.utils import auth

MIN = timedelta(minutes=1)


def test_more_than_three_toggles_in_ten_minutes_is_flapping() -> None:
    assert (3, timedelta(minutes=10)) == (FLAP_COUNT, FLAP_WINDOW)
    assert not is_flapping([], T0)
    assert not is_flapping([T0 - 2 * MIN, T0 - MIN], T0)  # the third toggle: not yet
    assert is_flapping([T0 - 3 * MIN, T0 - 2 * MIN, T0 - MIN], T0)  # the fourth
    assert not is_flapping([T0 - 11 * MIN, T0 - 2 * MIN, T0 - MIN], T0)  # one too old
    assert is_flapping([T0 - MIN], T0, count=1)
    assert not is_flapping([T0 - 2 * MIN], T0, count=1, window=MIN)


def toggle(service: Service, device: str = "btn-1-1-0101", test: bool = False
           ) -> int | None:
    raised = service.signal(device, "tamper", priority=3, test=test)
    service.clock.advance(seconds=30)
    service.signal(device, "tamper", priority=3, condition="restored", test=test)
    service.clock.advance(seconds=30)
    return raised


def test_a_chattering_tamper_switch_gives_one_open_alert_that_counts(service: Service) -> None:
    earlier = [toggle(service) for _ in range(3)]
    assert service.alerts.list()[1] == 0  # three toggles: each closed itself
    fourth = toggle(service)
    [alert], _ = service.alerts.list()
    assert (alert.id, alert.state, alert.condition, alert.occurrences) == (
        fourth, "open", "restored", 4)
    assert alert.detail["flapping"] is True
    assert alert.detail["flapped_alerts"] == earlier
    history = service.alerts.get(alert.id).history
    assert [(h.actor, h.action) for h in history] == [("gateway", "raised"),
                                                      ("gateway", "flapping")]
    assert history[-1].note.startswith("toggled 4 times within 10 min")
    # Further toggles only count, on the same alert.
    for _ in range(3):
        assert toggle(service) == alert.id
    [same], count = service.alerts.list()
    assert (count, same.id, same.occurrences, same.condition) == (1, alert.id, 7, "restored")
    # An operator resolves it like any other.
    service.alerts.act(alert.id, "resolve", "maintenance", cause="device_fault")
    assert service.alerts.list()[1] == 0


def test_toggles_spread_wider_than_the_window_never_flap(service: Service) -> None:
    for _ in range(6):
        toggle(service)
        service.clock.advance(minutes=4)
    assert service.alerts.list()[1] == 0
    assert service.alerts.list(state="resolved")[1] == 6


def test_each_device_and_each_kind_counts_apart(service: Service) -> None:
    for device in ("btn-1-1-0101", "btn-1-1-0102", "btn-1-1-0101", "btn-1-1-0102"):
        toggle(service, device)
    service.signal("btn-1-1-0101", "power_loss", priority=3)
    service.signal("btn-1-1-0101", "power_loss", priority=3, condition="restored")
    assert service.alerts.list()[1] == 0


def test_test_events_never_flap(service: Service) -> None:
    for _ in range(5):
        toggle(service, test=True)
    assert service.alerts.list()[1] == 0


def test_the_board_shows_one_flapping_tamper_with_its_count(clocked_client: TestClient,
                                                           clock: Clock) -> None:
    gw = auth(clocked_client, "gateway", "gateway123")
    op = auth(clocked_client, "operator", "operator123")
    for n in range(6):
        for condition in ("active", "restored"):
            clock.advance(seconds=10)
            r = clocked_client.post("/api/gateway/signals", headers=gw, json=signal(
                "btn-1-1-0101", "tamper", 3, condition, key=f"btn-1-1-0101:1:{n}{condition}"))
            assert r.status_code == 200, r.text
    board = clocked_client.get("/api/alerts", headers=op).json()
    assert board["count"] == 1
    tamper = board["data"][0]
    assert (tamper["kind"], tamper["state"], tamper["condition"], tamper["occurrences"]) == (
        "tamper", "open", "restored", 6)
    assert tamper["detail"]["flapping"] is True
