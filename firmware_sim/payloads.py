"""Payloads and topics as the device protocol v1 documents them (ARCHITECTURE §4)."""

from __future__ import annotations

import json
import time


def topic(site: str, device: str, channel: str) -> str:
    return f"estate/v1/{site}/{device}/{channel}"


def now_ms() -> int:
    return int(time.time() * 1000)


def event(seq: int, boot: int, etype: str, state: str, ts: int | None = None,
          **extra: object) -> bytes:
    body: dict[str, object] = {"seq": seq, "boot": boot, "ts": now_ms() if ts is None else ts,
                               "type": etype, "state": state}
    body.update({k: v for k, v in extra.items() if v is not None})
    return json.dumps(body, separators=(",", ":")).encode()


def telemetry(seq: int, boot: int, ts: int | None = None, **fields: object) -> bytes:
    body: dict[str, object] = {"seq": seq, "boot": boot, "ts": now_ms() if ts is None else ts}
    body.update({k: v for k, v in fields.items() if v is not None})
    return json.dumps(body, separators=(",", ":")).encode()


def command_result(cmd_id: str, ok: bool, seq: int, boot: int, error: str | None = None
                   ) -> bytes:
    body: dict[str, object] = {"id": cmd_id, "ok": ok, "seq": seq, "boot": boot, "ts": now_ms()}
    if error:
        body["error"] = error
    return json.dumps(body, separators=(",", ":")).encode()
