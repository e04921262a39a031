"""The catalogue of malformed device input (data/malformed_mqtt.json), as publishable
messages: what a broken or hostile device might send, and what the gateway must do."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CATALOGUE = Path(__file__).with_name("data") / "malformed_mqtt.json"


@dataclass(frozen=True)
class Malformed:
    name: str
    channel: str
    payload: bytes
    reason: str  # the quarantine reason the gateway must record
    device: str | None = None  # publish under this device id instead of the sender's
    site: str | None = None  # publish under this site id instead of the sender's

    def topic(self, site: str, device: str) -> str:
        return f"estate/v1/{self.site or site}/{self.device or device}/{self.channel}"


def _payload(entry: dict[str, object]) -> bytes:
    if "payload_hex" in entry:
        return bytes.fromhex(str(entry["payload_hex"]))
    if "oversize_bytes" in entry:
        size = int(entry["oversize_bytes"])  # type: ignore[call-overload]
        head = b'{"seq": 1, "boot": 1, "ts": 1795000000123, "type": "panic", "state": "pressed", '
        pad = size - len(head) - len(b'"pad": ""}')
        return head + b'"pad": "' + b"x" * pad + b'"}'
    return str(entry["payload_utf8"]).encode("utf-8")


def catalogue() -> list[Malformed]:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return [Malformed(e["name"], e["channel"], _payload(e), e["reason"], e.get("device"),
                      e.get("site")) for e in data["entries"]]


def by_name(name: str) -> Malformed:
    for m in catalogue():
        if m.name == name:
            return m
    raise KeyError(f"no malformed entry {name!r}; see {CATALOGUE}")
