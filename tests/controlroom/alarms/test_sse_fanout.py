"""The live stream against a real control-room process: 50 consoles at once all receive an
alert, and a console reconnecting with Last-Event-ID receives exactly what it missed."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support.stack import Stack
from tests.utils import token

CLIENTS = 50
TIMEOUT_S = 30.0  # for each wait; a healthy run takes a fraction of it


@pytest.fixture(scope="module")
def api(controlroom_process: Stack) -> str:
    return controlroom_process.api_url


@dataclass(frozen=True)
class Event:
    id: int
    alert: dict[str, Any]


@dataclass
class Listener:
    """One console's stream: `connected` is set once the stream's opening `retry:` line has
    arrived (the server subscribes before sending it), then every `alert` event is queued."""

    headers: dict[str, str]
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    events: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)

    async def run(self, client: httpx.AsyncClient, url: str) -> None:
        async with client.stream("GET", f"{url}/api/alerts/stream", headers=self.headers) as r:
            assert r.status_code == 200, await r.aread()
            fields: dict[str, str] = {}
            async for line in r.aiter_lines():
                if line.startswith("retry:"):
                    self.connected.set()
                elif not line:  # the end of an event
                    if fields.get("event") == "alert":
                        await self.events.put(Event(int(fields["id"]), json.loads(fields["data"])))
                    fields = {}
                else:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")

    async def next(self) -> Event:
        return await asyncio.wait_for(self.events.get(), TIMEOUT_S)


async def _connect(client: httpx.AsyncClient, url: str, listeners: list[Listener]
                   ) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(ls.run(client, url)) for ls in listeners]
    waits = asyncio.gather(*(ls.connected.wait() for ls in listeners))
    try:
        await asyncio.wait_for(waits, TIMEOUT_S)
    except TimeoutError:
        failed = [repr(t.exception()) for t in tasks if t.done() and t.exception()]
        connected = sum(ls.connected.is_set() for ls in listeners)
        pytest.fail(f"only {connected} of {len(listeners)} streams connected; {failed[:3]}")
    return tasks


async def _close(tasks: list[asyncio.Task[None]]) -> None:
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _raise(client: httpx.AsyncClient, url: str, gw: str, device: str, kind: str,
                 priority: int) -> int:
    r = await client.post(
        f"{url}/api/gateway/signals", headers={"Authorization": f"Bearer {gw}"},
        json={"key": f"{device}:1:1/{kind}", "device": device, "kind": kind,
              "priority": priority, "condition": "active",
              "observed_at": datetime.now(UTC).isoformat()})
    r.raise_for_status()
    return int(r.json()["alert"]["id"])


async def _scenario(url: str, op: str, gw: str) -> None:
    headers = {"Authorization": f"Bearer {op}"}
    limits = httpx.Limits(max_connections=CLIENTS + 10, max_keepalive_connections=CLIENTS + 10)
    async with httpx.AsyncClient(timeout=httpx.Timeout(TIMEOUT_S), limits=limits) as client:
        # 50 consoles, all subscribed before the alarm comes in.
        consoles = [Listener(headers) for _ in range(CLIENTS)]
        tasks = await _connect(client, url, consoles)
        try:
            panic = await _raise(client, url, gw, "btn-2-2-1801", "panic", 1)
            got = await asyncio.wait_for(asyncio.gather(*(c.next() for c in consoles)),
                                         TIMEOUT_S)
            assert [e.alert["id"] for e in got] == [panic] * CLIENTS
            assert len({e.id for e in got}) == 1  # one change, one event id for everybody
            assert all(e.alert["kind"] == "panic" and e.alert["state"] == "open" for e in got)

            # Console 0 sees the panic acknowledged (so it is not escalated while we go on)
            # and then drops off, remembering the last event it saw.
            r = await client.post(f"{url}/api/alerts/{panic}/ack", headers=headers, json={})
            r.raise_for_status()
            seen = got[0]
            while seen.alert["state"] != "acknowledged":
                seen = await consoles[0].next()
            assert seen.alert["id"] == panic
        finally:
            await _close(tasks)

        # Two alerts are raised while nobody is connected.
        missed = [await _raise(client, url, gw, device, "tamper", 3)
                  for device in ("btn-2-2-1802", "btn-2-2-1803")]

        back = Listener(headers | {"Last-Event-ID": str(seen.id)})
        tasks = await _connect(client, url, [back])
        try:
            replay = [await back.next(), await back.next()]
            assert [e.alert["id"] for e in replay] == missed
            assert seen.id < replay[0].id < replay[1].id
            # Exactly those two: the next event is a new, live one, and nothing else is queued.
            live = await _raise(client, url, gw, "btn-2-2-1804", "tamper", 3)
            after = await back.next()
            assert (after.alert["id"], after.id > replay[1].id) == (live, True)
            assert back.events.empty()
        finally:
            await _close(tasks)


def test_fifty_consoles_receive_an_alert_and_a_reconnect_gets_what_it_missed(api: str
                                                                              ) -> None:
    op, gw = token(api, "operator", "operator123"), token(api, "gateway", "gateway123")
    asyncio.run(_scenario(api, op, gw))
