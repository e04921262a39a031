"""Acceptance 1 of issue 18: both /metrics endpoints (the control room's and the gateway's)
parse with prometheus_client's parser and report real figures; /healthz answers; /readyz is 503
while the control room's database (a PostgreSQL server of this test's own) is stopped, and 200
once it is back."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from launcher.postgres import bin_dir, start_postgres
from tests.support.stack import SseCollector, Stack
from tests.utils import wait_until
from tests.utils.metrics import sample, samples

pytestmark = pytest.mark.skipif(bin_dir() is None, reason="PostgreSQL is not installed "
                                "(scripts/system-deps.sh test installs it)")


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.HTTPError:
        return -1


def test_metrics_health_and_readiness(tmp_path: Path) -> None:
    import psycopg

    pg = start_postgres()
    try:
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE butler")
        stack = Stack(tmp_path, db_url=pg.url("butler"))
        try:
            stack.start_broker()
            stack.start_controlroom()
            stack.start_gateway()
            _scrape_and_check(stack)
            api = stack.api_url
            assert httpx.get(f"{api}/healthz", timeout=5).status_code == 200
            assert httpx.get(f"{api}/readyz", timeout=5).text == "ready\n"

            pg.halt()
            wait_until("/readyz 503 with the database stopped",
                       lambda: _status(f"{api}/readyz") == 503, 30)
            assert "database unreachable" in httpx.get(f"{api}/readyz", timeout=5).text
            assert httpx.get(f"{api}/healthz", timeout=5).status_code == 200  # alive still
            pg.resume()
            wait_until("/readyz 200 with the database back",
                       lambda: _status(f"{api}/readyz") == 200, 30)
        finally:
            stack.group.stop_all()
    finally:
        pg.stop()


def _scrape_and_check(stack: Stack) -> None:
    api = stack.api_url
    op = stack.token("operator", "operator123")
    headers = {"Authorization": f"Bearer {op}"}
    # One alarm through the API the gateway uses, so the figures are not all zero.
    gw = stack.token("gateway", "gateway123")
    r = httpx.post(f"{api}/api/gateway/signals", headers={"Authorization": f"Bearer {gw}"}, json={
        "key": "obs-1/gas_alarm", "device": "gas-1-2-1502", "kind": "gas_alarm", "priority": 1,
        "condition": "active", "observed_at": "2026-12-04T10:00:00+00:00"}, timeout=10)
    assert r.status_code in (200, 201), r.text
    for _ in range(3):
        httpx.get(f"{api}/api/alerts", headers=headers, timeout=10).raise_for_status()
    sse = SseCollector(f"{api}/api/alerts/stream", op)
    try:
        assert sse.connected.wait(10)
        wait_until("the stream counted", lambda: sample(
            httpx.get(f"{api}/metrics", timeout=5).text, "butler_sse_clients") == 1, 10)
        text = httpx.get(f"{api}/metrics", timeout=5).text
    finally:
        sse.close()
    cr = samples(text)  # raises if the exposition does not parse
    assert sample(text, "butler_open_alerts", priority="1") == 1
    assert sample(text, "butler_open_alerts", priority="3") == 0
    assert sample(text, "butler_escalations_total") == 0
    latency = {labels: v for (name, labels), v in cr.items()
               if name == "butler_http_request_duration_seconds_count"}
    # By the route's template, not the raw path.
    assert latency[(("method", "GET"), ("route", "/api/alerts"), ("status", "200"))] >= 3
    assert not any(dict(k)["route"].startswith("/api/alerts/") and dict(k)["route"][-1].isdigit()
                   for k in latency)

    metrics = stack.metrics()
    samples(metrics)
    assert sample(metrics, "butler_gateway_devices") is not None
    assert sample(metrics, "butler_gateway_devices") > 0  # type: ignore[operator]
    assert sample(metrics, "butler_gateway_outbox_depth") == 0
    base = f"http://127.0.0.1:{stack.metrics_port}"
    assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
