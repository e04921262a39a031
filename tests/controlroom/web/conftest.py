"""The console's browser tests share one control room process per module (the `room`) and a
fresh page for each test, opened on it in the site's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import ControlRoom, open_page
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def room(controlroom_process: Stack) -> ControlRoom:
    return ControlRoom(controlroom_process.api_url, controlroom_process.tmp / "log")


@pytest.fixture
def page(browser: Any, room: ControlRoom) -> Iterator[Any]:
    with open_page(browser, room.base_url) as pg:
        yield pg
