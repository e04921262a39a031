"""Two gateway replicas reporting the same device at the same moment: the second delivery
finds the first one's alert instead of failing (it used to be an HTTP 500)."""

from __future__ import annotations

import threading

import pytest

import controlroom.alarms.intake as alerts_module
from controlroom.alarms.rules import SignalOutcome
from controlroom.alarms.schemas import SignalIn
from tests.controlroom.conftest import Service


def _offline(key: str, at: object) -> SignalIn:
    return SignalIn(key=key, device="gas-1-2-1502", kind="device_offline", priority=2,
                    condition="active", observed_at=at)  # type: ignore[arg-type]


def test_a_racing_create_of_the_same_open_alert_becomes_a_repeat(
        service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    real = alerts_module.on_signal
    raced: list[SignalOutcome] = []
    once = threading.Event()

    def on_signal_with_a_rival(*args: object, **kw: object) -> SignalOutcome:
        if not once.is_set():
            once.set()
            # The other replica's report lands after we looked for an open alert and before
            # we insert ours (a thread: its own database connection).
            rival = threading.Thread(target=lambda: raced.append(
                service.alerts.apply_signal(_offline("sup/b", service.clock())).outcome))
            rival.start()
            rival.join(30)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(alerts_module, "on_signal", on_signal_with_a_rival)
    applied = service.alerts.apply_signal(_offline("sup/a", service.clock()))
    assert raced == [SignalOutcome.CREATE]
    assert applied.outcome is SignalOutcome.REPEAT
    rows, total = service.alerts.list(kind="device_offline")
    assert total == 1 and rows[0].occurrences == 2
