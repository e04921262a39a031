"""The kiosk's heartbeat to the control room (POST /api/kiosk/heartbeat): its version, how
long it has run, its readers' status and the last error it logged, every `heartbeat_s` of the
site file's [kiosk] section. Three missed and the console shows it offline, with one
maintenance alert until it is heard again.

`python -m kiosk` sends it from a thread beside the window. `python -m kiosk.heartbeat --kiosk
ID` sends it with no window at all (a headless kiosk process, and the tests)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.api_client import ApiClient

log = logging.getLogger("kiosk.heartbeat")


def kiosk_version() -> str:
    try:
        return package_version("estate-butler")
    except PackageNotFoundError:
        return "unknown"


class LastError(logging.Handler):
    """Keeps the last ERROR (or worse) any logger of the kiosk wrote: the heartbeat says it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text = f"{record.name}: {record.getMessage()}"[:2000]


def reader_status(readers: Mapping[str, str]) -> dict[str, str]:
    """Each configured reader's device: `ok` when it is there, `missing` when not."""
    return {kind: "ok" if Path(dev).exists() else "missing" for kind, dev in readers.items()}


def payload(version: str, started: float, now: float, readers: dict[str, str],
            last_error: str) -> dict[str, Any]:
    return {"version": version, "uptime_s": round(max(0.0, now - started), 1),
            "readers": readers, "last_error": last_error}


class Heartbeat:
    """Sends the heartbeat every `every_s` until stopped; a failed send is logged (warning)
    and tried again at the next period."""

    def __init__(self, post: Callable[[str, dict[str, Any]], Any], every_s: float,
                 readers: Callable[[], dict[str, str]], last_error: LastError) -> None:
        self.post = post
        self.every_s = every_s
        self.readers = readers
        self.last_error = last_error
        self.started = time.monotonic()
        self.version = kiosk_version()
        self.stopping = threading.Event()
        self.sent = 0

    def beat(self) -> bool:
        body = payload(self.version, self.started, time.monotonic(), self.readers(),
                       self.last_error.text)
        try:
            self.post("/api/kiosk/heartbeat", body)
        except Exception as exc:  # the control room away: said, and tried again
            log.warning("heartbeat not sent: %s", exc)
            return False
        self.sent += 1
        return True

    def run(self) -> None:
        while not self.stopping.is_set():
            self.beat()
            self.stopping.wait(self.every_s)

    def start(self) -> threading.Thread:
        t = threading.Thread(target=self.run, name="kiosk-heartbeat", daemon=True)
        t.start()
        return t


def start_for(client: ApiClient, every_s: float, readers: Mapping[str, str]) -> Heartbeat:
    """The GUI kiosk's heartbeat on `client` (a connection of its own: ApiClient.another)."""
    errors = LastError()
    logging.getLogger().addHandler(errors)
    hb = Heartbeat(client.post_json, every_s, lambda: reader_status(readers), errors)
    hb.start()
    return hb


def main(argv: list[str] | None = None) -> int:
    from config import load_site_or_exit
    from config.logs import setup as setup_logs
    from config.settings import LOG_FORMAT, exit_on_bad_setting

    ap = argparse.ArgumentParser(prog="python -m kiosk.heartbeat",
                                 description="Send a kiosk's heartbeat with no window.")
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--kiosk", help="the kiosk's id in the site file (default: the first)")
    args = ap.parse_args(argv)
    site = load_site_or_exit(args.config)
    with exit_on_bad_setting():
        setup_logs(LOG_FORMAT.read())
    kiosk_id = args.kiosk or next(iter(site.kiosks), None)
    if kiosk_id not in site.kiosks:
        log.error("no kiosk %r in %s", kiosk_id, site.path)
        return 2
    from config import Settings
    from kiosk.api_client import ApiClient

    account = site.kiosks[kiosk_id]
    client = ApiClient(Settings.from_site(site).api_url, account.id, account.password)
    hb = start_for(client, site.kiosk_heartbeat_s, {})
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    log.info("heartbeat of kiosk %s every %s s", kiosk_id, hb.every_s)
    while not done.wait(0.5):
        pass
    hb.stopping.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
