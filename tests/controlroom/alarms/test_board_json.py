"""The board's JSON, written straight from database rows, is what pydantic makes of the same
alerts through `AlertsPublic`."""

from __future__ import annotations

import json

from controlroom.alarms.schemas import AlertPublic, AlertsPublic
from tests.controlroom.conftest import Service


def test_the_board_json_is_the_models_json(service: Service) -> None:
    service.signal("gas-1-1-0101")
    service.signal("btn-2-1-0304", "panic")
    service.clock.advance(seconds=1.5)  # a time with microseconds, one without
    service.signal("gas-1-1-0102", "battery_low", priority=4, test=True)
    rows, total = service.alerts.list(state="all")
    expected = AlertsPublic(data=[AlertPublic.model_validate(a) for a in rows], count=total)
    got = service.alerts.board(state="all")
    assert json.loads(got) == json.loads(expected.model_dump_json())
    assert got.count('"raised_at"') == 3
