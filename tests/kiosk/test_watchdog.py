"""The kiosk's systemd notifications (kiosk/watchdog.py) reach a real datagram socket."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from kiosk.watchdog import notify, ping_interval_s


def test_notify_sends_one_datagram_to_notify_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        server.settimeout(5)
        assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": str(path)})
        assert server.recv(100) == b"WATCHDOG=1"


def test_without_systemd_nothing_is_sent() -> None:
    assert notify("READY=1", {}) is False
    assert ping_interval_s({}) is None


def test_pings_twice_per_watchdog_period_for_this_process_only() -> None:
    assert ping_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert ping_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) \
        == 15.0
    assert ping_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
