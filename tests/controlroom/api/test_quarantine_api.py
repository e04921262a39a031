"""The quarantine, inspectable (issue 17): the gateway posts what it rejected, maintenance
reads the last entries per reason, payloads cut at 1 KiB and shown escaped."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from controlroom.alarms.quarantine import KEEP, escape
from tests.utils import auth

pytestmark = pytest.mark.db
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def entry(reason: str, n: int, payload: bytes = b'{"seq": 1', size: int | None = None,
          source: str = "estate/v1/demo/gas-1-1-0101/evt") -> dict[str, object]:
    return {"at": (T0 + timedelta(seconds=n)).isoformat(), "reason": reason, "source": source,
            "device": "gas-1-1-0101", "detail": f"entry {n}",
            "payload_b64": base64.b64encode(payload[:1024]).decode(),
            "size": len(payload) if size is None else size}


def test_escape_shows_every_byte_as_text() -> None:
    assert escape(b'{"a": 1}') == '{"a": 1}'
    assert escape(b"\x00\xff\n\\ok\x1b") == "\\x00\\xff\\n\\\\ok\\x1b"
    assert escape("煤气".encode()) == "煤气"
    assert escape(b"<script>") == "<script>"  # text, the console sets it as textContent


def test_gateway_posts_maintenance_reads_the_last_per_reason(client: TestClient) -> None:
    gw = auth(client, "gateway", "gateway123")
    big = b"\x00" + b"x" * 4000
    r = client.post("/api/gateway/quarantine", headers=gw, json={"entries": [
        *(entry("bad_json", n) for n in range(KEEP + 5)),
        entry("oversize", 1, big[:1024], size=len(big)),
        entry("bad_crc", 2, b"\n0000001A\"ADM\r", source="dc09 tcp 10.0.0.9:4711")]})
    assert r.status_code == 200, r.text
    assert r.json() == {"stored": KEEP + 7}

    m = auth(client, "maintenance", "maintenance123")
    body = client.get("/api/quarantine", headers=m).json()
    assert body["keep_per_reason"] == KEEP
    assert body["counts"] == {"bad_json": KEEP, "oversize": 1, "bad_crc": 1}
    bad_json = [e for e in body["data"] if e["reason"] == "bad_json"]
    # the newest KEEP, newest first
    assert [e["detail"] for e in bad_json] == [f"entry {n}" for n in range(KEEP + 4, 4, -1)]
    assert bad_json[0]["device"] == "gas-1-1-0101"
    [over] = [e for e in body["data"] if e["reason"] == "oversize"]
    assert (over["size"], over["cut"], len(over["payload"])) == (4001, True, 4 + 1023)
    assert over["payload"].startswith("\\x00xxx")
    [crc] = client.get("/api/quarantine", headers=m, params={"reason": "bad_crc"}).json()["data"]
    assert (crc["source"], crc["payload"], crc["device"]) == (
        "dc09 tcp 10.0.0.9:4711", '\\n0000001A"ADM\\r', "gas-1-1-0101")


def test_who_may_post_and_read(client: TestClient) -> None:
    op = auth(client, "operator", "operator123")
    assert client.get("/api/quarantine", headers=op).status_code == 403
    assert client.post("/api/gateway/quarantine", headers=op,
                       json={"entries": [entry("x", 1)]}).status_code == 403
    for user in ("maintenance", "supervisor", "admin"):
        h = auth(client, user, f"{user}123")
        assert client.get("/api/quarantine", headers=h).status_code == 200, user
    gw = auth(client, "gateway", "gateway123")
    bad = entry("bad_json", 1)
    bad["payload_b64"] = "not base64!"
    assert client.post("/api/gateway/quarantine", headers=gw,
                       json={"entries": [bad]}).status_code == 422
