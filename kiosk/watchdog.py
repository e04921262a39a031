"""systemd's watchdog for the kiosk (deploy/systemd/butler-kiosk.service: Type=notify,
WatchdogSec=30): READY=1 once the window is up, then WATCHDOG=1 from the UI loop every half
watchdog period. A hung UI loop stops sending, and systemd restarts the kiosk.

The protocol is one datagram to $NOTIFY_SOCKET (sd_notify(3)); no library needed. Without
systemd (no NOTIFY_SOCKET) nothing happens."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any


def notify(message: str, env: Mapping[str, str] | None = None) -> bool:
    """Send `message` to systemd; False when not run by systemd (or the socket is gone)."""
    addr = (os.environ if env is None else env).get("NOTIFY_SOCKET", "")
    if not addr:
        return False
    if addr.startswith("@"):  # an abstract socket
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(addr)
            sock.sendall(message.encode())
    except OSError:
        return False
    return True


def ping_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """Half the watchdog period systemd gave us (WATCHDOG_USEC), or None without one."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if pid.isdigit() and int(pid) != os.getpid():
        return None  # meant for another process
    return int(usec) / 2e6


def attach(app: Any) -> None:
    """On the app's start: READY=1, and WATCHDOG=1 from Kivy's clock (the UI loop itself)."""
    if not os.environ.get("NOTIFY_SOCKET"):
        return
    from kivy.clock import Clock

    def started(*_: object) -> None:
        notify("READY=1")
        every = ping_interval_s()
        if every is not None:
            Clock.schedule_interval(lambda _dt: notify("WATCHDOG=1"), every)

    app.bind(on_start=started)
