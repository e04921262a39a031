"""Fixtures of the kiosk's window tests: a private X server, the site file."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import DEFAULT_SITE_PATH, Site, load_site
from kiosk.controller import KioskController
from tests.support.fake_kiosk_api import FakeKioskApi
from tests.support.kiosk_controller import Clock, controller

# -- a private X server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb)")
    # -displayfd: Xvfb picks a free display number itself and writes it once it accepts
    # connections, so parallel runs cannot collide on a number.
    log = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    read_end, write_end = os.pipe()
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [xvfb, "-displayfd", str(write_end), "-screen", "0", "1920x1920x24", "-nolisten",
             "tcp"],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    os.close(write_end)
    try:
        number = _read_display_number(read_end, proc, log, timeout=30)
        socket = Path(f"/tmp/.X11-unix/X{number}")
        _poll(socket.exists, timeout=10, what=f"the X socket {socket}")
        yield f":{number}"
    finally:
        os.close(read_end)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _read_display_number(fd: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> int:
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or proc.poll() is not None:
            why = "it exited" if proc.poll() is not None else "timed out"
            pytest.fail(f"Xvfb did not start ({why}): {log.read_text(errors='replace')[-2000:]}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 64)
            if not chunk:
                continue
            data += chunk
    return int(data.strip())


def _poll(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site(DEFAULT_SITE_PATH)


# -- the controller without a window (tests/support/kiosk_controller.py) ----------------------


@pytest.fixture
def fake(site: Site) -> FakeKioskApi:
    return FakeKioskApi(site)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def kiosk(fake: FakeKioskApi, clock: Clock) -> KioskController:
    return controller(fake, clock=clock)
