"""The spine, end to end: a simulated flat's alarm travels through a real broker and the
gateway to the control room, and appears in the alarm API and on the SSE stream."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.support.stack import MOSQUITTO, SseCollector, running_stack

BROKERS = [
    "embedded",
    pytest.param("mosquitto", marks=[
        pytest.mark.mosquitto,
        pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed "
                                                     "(apt-get install mosquitto)")]),
]
DEADLINE_S = 10.0  # acceptance: seen within 10 s of the device's publish
WAIT_S = 60.0  # how long to wait at all (a loaded machine); the deadline is checked apart
# The spine runs again on PostgreSQL in `make test`'s second pass (the Stack's control room
# takes its database from BUTLER_TEST_DB).
pytestmark = pytest.mark.db


@pytest.mark.parametrize("broker", BROKERS)
def test_gas_alarm_and_emergency_button_reach_the_alarm_api_and_stream(
        tmp_path: Path, broker: str) -> None:
    with running_stack(tmp_path, broker) as stack:
        token = stack.token("operator", "operator123")
        sse = SseCollector(f"{stack.api_url}/api/alerts/stream", token)
        try:
            assert sse.connected.wait(WAIT_S), "the SSE stream did not open"
            # The clock starts when the simulator's command returns: the broker has the event
            # by then (QoS 1, acknowledged), and the CLI's own start-up (seconds on a loaded
            # machine) is no part of the alarm path.
            out = stack.sim("gas", "--unit", "1-2-1502")
            gas_sent = time.monotonic()
            # (seq counts heartbeats too, so it depends on when the last one was sent)
            assert re.match(r"gas-1-2-1502: gas/alarm \(boot 1, seq \d+\) raised by the running",
                            out.stdout), out.stdout
            stack.sim("press", "--unit", "2-1-0304")
            panic_sent = time.monotonic()

            def seen(kind: str, unit: str):  # type: ignore[no-untyped-def]
                return lambda e: e["kind"] == kind and e["unit"] == unit

            gas = sse.wait_for(seen("gas_alarm", "1-2-1502"), WAIT_S)
            panic = sse.wait_for(seen("panic", "2-1-0304"), WAIT_S)
            assert gas is not None, "no gas_alarm for 1-2-1502 on the SSE stream"
            assert panic is not None, "no panic for 2-1-0304 on the SSE stream"
            assert sse.arrival(gas) - gas_sent < DEADLINE_S
            assert sse.arrival(panic) - panic_sent < DEADLINE_S

            r = httpx.get(f"{stack.api_url}/api/alerts", params={"state": "open"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)
            r.raise_for_status()
            alerts = {(a["kind"], a["unit"]): a for a in r.json()["data"]}
            g = alerts[("gas_alarm", "1-2-1502")]
            p = alerts[("panic", "2-1-0304")]
            assert (g["priority"], g["state"], g["condition"]) == (1, "open", "active")
            assert g["device"] == "gas-1-2-1502" and g["building"] == "1"
            assert g["detail"]["lel"] == 27.5
            assert (p["priority"], p["state"], p["device"]) == (1, "open", "btn-2-1-0304")
            assert r.json()["count"] == 2
        finally:
            sse.close()
