"""The live stream against a real control-room process: replay after a reconnect, and no
token in the access log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from launcher.processes import ProcessGroup
from tests.support.stack import Stack
from tests.utils import token


@pytest.fixture(scope="module")
def api(controlroom_process: Stack) -> tuple[str, ProcessGroup]:
    return controlroom_process.api_url, controlroom_process.group


def _raise(url: str, gw: str, device: str) -> int:
    r = httpx.post(f"{url}/api/gateway/signals", headers={"Authorization": f"Bearer {gw}"},
                   json={"key": f"{device}:1:1/panic", "device": device, "kind": "panic",
                         "priority": 1, "condition": "active",
                         "observed_at": datetime.now(UTC).isoformat()})
    r.raise_for_status()
    return int(r.json()["alert"]["id"])


def _read_alert_ids(url: str, want: int, **kw: object) -> list[tuple[int, int]]:
    """(event id, alert id) of the first `want` alert events on a fresh stream."""
    out: list[tuple[int, int]] = []
    import json

    with httpx.stream("GET", f"{url}/api/alerts/stream", timeout=httpx.Timeout(10.0),
                      **kw) as r:  # type: ignore[arg-type]
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        event_id, event = 0, ""
        for line in r.iter_lines():
            if line.startswith("id:"):
                event_id = int(line[3:])
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "alert":
                out.append((event_id, int(json.loads(line[5:])["id"])))
                if len(out) == want:
                    return out
    return out


def test_a_reconnecting_client_is_replayed_what_it_missed(api: tuple[str, ProcessGroup]
                                                          ) -> None:
    url, _ = api
    gw, op = token(url, "gateway", "gateway123"), token(url, "operator", "operator123")
    first = _raise(url, gw, "btn-1-1-0201")
    [(first_event, alert)] = _read_alert_ids(url, 1, params={"access_token": op,
                                                             "last_event_id": 0})
    assert alert == first
    missed = [_raise(url, gw, f"btn-1-1-020{n}") for n in (2, 3)]
    replay = _read_alert_ids(url, 2, headers={"Authorization": f"Bearer {op}",
                                              "Last-Event-ID": str(first_event)})
    assert [a for _, a in replay] == missed
    assert all(e > first_event for e, _ in replay)


def test_the_stream_refuses_without_a_token_and_keeps_tokens_out_of_the_log(
        api: tuple[str, ProcessGroup]) -> None:
    url, group = api
    assert httpx.get(f"{url}/api/alerts/stream").status_code == 401
    op = token(url, "operator", "operator123")
    _read_alert_ids(url, 1, params={"access_token": op, "last_event_id": 0})
    log = Path(group.children[0].log).read_text()
    assert "access_token=***" in log
    assert op not in log


def test_access_token_in_the_query_opens_the_stream_and_nothing_else(
        api: tuple[str, ProcessGroup]) -> None:
    """Issue 13, acceptance 3: a token in the URL lands in proxies' logs, so only the route
    EventSource needs (it cannot send headers) takes one there."""
    url, _ = api
    op = token(url, "operator", "operator123")
    with httpx.stream("GET", f"{url}/api/alerts/stream", params={"access_token": op},
                      timeout=10) as r:
        assert r.status_code == 200
    for path in ("/api/alerts", "/api/alerts/1", "/api/alerts/1/plan", "/api/devices",
                 "/api/requests", "/api/kpis"):
        as_query = httpx.get(f"{url}{path}", params={"access_token": op}, timeout=10)
        assert as_query.status_code == 401, (path, as_query.text)
        as_header = httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {op}"},
                              timeout=10)
        assert as_header.status_code != 401, (path, as_header.text)  # signed in that way
