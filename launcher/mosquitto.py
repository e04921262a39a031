"""A mosquitto of our own, on a port and with a configuration of our own (tests and
benchmarks never touch a broker the machine already runs)."""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path

from launcher.processes import ProcessGroup

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)


def start_mosquitto(group: ProcessGroup, tmp: Path, port: int, persistence: bool = False
                    ) -> None:
    conf = tmp / "mosquitto.conf"
    store = tmp / "mosquitto-data"
    store.mkdir(exist_ok=True)
    # The gateway's persistent session may hold thousands of events while it restarts:
    # mosquitto's default queue of 1000 per session would drop the rest.
    # Started as root, mosquitto drops to the `mosquitto` user unless told to stay the user
    # that owns the test's directory; it could not write its persistence file otherwise.
    conf.write_text(f"user {getpass.getuser()}\n"
                    f"listener {port} 127.0.0.1\nallow_anonymous true\n"
                    f"persistence {'true' if persistence else 'false'}\n"
                    f"persistence_location {store}/\n"
                    "max_queued_messages 0\nmax_inflight_messages 0\nlog_dest stdout\n")
    assert MOSQUITTO is not None
    child = group.start("mosquitto", [MOSQUITTO, "-c", str(conf)], python=False)
    group.wait_port("127.0.0.1", port, child)
