"""A STAND-IN for the control room's kiosk API (docs/api/kiosk.md), for kiosk tests only.

Not the control room: a small in-memory implementation of the contract, written from the
contract page, so the kiosk can be tested while the real routes are built on other branches.
The residents, PINs and cards come from the site file; a few requests, a fee statement and
held items are made up for flat 1-2-1502.

- `FakeKioskApi().handle` is an `httpx.MockTransport` handler (controller tests);
- `python -m tests.support.fake_kiosk_api --port N` serves it over real HTTP (GUI tests that
  stop and restart "the control room", `make kiosk-screenshots` while the real routes are not
  on main).

The parts: api.py routes the calls (info, requests, fees, visitors), logins.py logs residents
in, pickup.py holds the items and their pickup, data.py what is made up, problem.py the
refusal, server.py the stand-in over HTTP.
"""

from .api import FakeKioskApi
from .data import (
    CATEGORIES,
    CODE_LIMIT,
    CODE_LOCK_S,
    DESK_CODE,
    FEES,
    NOTICES,
    PICKUP_CODE,
    PIN_LIMIT,
    PIN_LOCK_S,
    Json,
    mask,
)
from .problem import Problem
from .server import ROOT, FakeServerProcess, main, serve

__all__ = [
    "CATEGORIES",
    "CODE_LIMIT",
    "CODE_LOCK_S",
    "DESK_CODE",
    "FEES",
    "NOTICES",
    "PICKUP_CODE",
    "PIN_LIMIT",
    "PIN_LOCK_S",
    "ROOT",
    "FakeKioskApi",
    "FakeServerProcess",
    "Json",
    "Problem",
    "main",
    "mask",
    "serve",
]
