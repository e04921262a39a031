"""The kiosk fleet as the tests see it: a control room on a site whose kiosks beat every
`heartbeat_s`, and what it says of kiosk-1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from config import DEFAULT_SITE_PATH
from tests.support.sites import write_site
from tests.support.stack import Stack


@contextmanager
def fleet_room(tmp_path: Path, heartbeat_s: float) -> Iterator[Stack]:
    """A control room process on the demo site with `[kiosk] heartbeat_s` set."""
    text = DEFAULT_SITE_PATH.read_text(encoding="utf-8")
    assert "[kiosk]\n" in text
    site = write_site(tmp_path, text.replace("[kiosk]\n", f"[kiosk]\nheartbeat_s = {heartbeat_s}\n",
                                             1))
    s = Stack(tmp_path, site=site)
    try:
        s.start_controlroom()
        yield s
    finally:
        s.group.stop_all()


def kiosk_status(stack: Stack, op: str, kiosk: str = "kiosk-1") -> dict[str, Any]:
    """The kiosk's row of GET /api/devices/kiosks."""
    r = httpx.get(f"{stack.api_url}/api/devices/kiosks",
                  headers={"Authorization": f"Bearer {op}"}, timeout=10)
    r.raise_for_status()
    return next(k for k in r.json()["data"] if k["id"] == kiosk)


def kiosk_alerts(stack: Stack, op: str, kiosk: str = "kiosk-1") -> list[dict[str, Any]]:
    """The kiosk's device_offline alerts."""
    return [a for a in stack.alerts(op, kind="device_offline") if a["device"] == kiosk]
