"""The kiosk's controller without a window, for tests: against the contract's stand-in
(tests/support/fake_kiosk_api/) over an in-memory transport, calls run inline, time passed
in. The fixtures in tests/kiosk/conftest.py build on these."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from kiosk.api_client import ApiClient
from kiosk.controller import KioskController
from kiosk.kiosk_api import KioskApi
from kiosk.tasks import TaskRunner
from tests.support.fake_kiosk_api import FakeKioskApi

__all__ = ["Clock", "controller", "log_in_for", "login_by_pin"]


class Clock:
    """The kiosk's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def controller(fake: FakeKioskApi, *, clock: Callable[[], float] | None = None,
               idle_s: float = 60, **kw: Any) -> KioskController:
    """kiosk-1 of the stand-in's site, started (on its attract screen)."""
    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(fake.handle))
    c = KioskController(fake.site, "kiosk-1", KioskApi(client),
                        TaskRunner(lambda fn: fn(), inline=True), idle_s=idle_s,
                        **({"clock": clock} if clock is not None else {}), **kw)
    c.start()
    return c


def login_by_pin(kiosk: KioskController, unit: str = "1-2-1502", pin: str = "246810") -> None:
    kiosk.open_login()
    for k in unit:
        kiosk.login_key(k)
    kiosk.login_submit()
    for k in pin:
        kiosk.login_key(k)
    kiosk.login_submit()


def log_in_for(kiosk: KioskController, action: str, unit: str = "1-2-1502",
               pin: str = "246810") -> None:
    """Home → `action` (a screen that needs a resident), which asks for the flat and PIN
    first, then opens."""
    kiosk.touch_start()
    kiosk.open(action)
    assert kiosk.screen == "login"
    login_by_pin(kiosk, unit, pin)
    assert kiosk.screen == action
