"""The quarantine page (issue 17, acceptance 4): the malformed catalogue
(firmware_sim/data/malformed_mqtt.json) published by the simulator through a real broker, as
the malformed-input test does (tests/gateway/test_gateway_e2e.py), is rejected by the gateway,
posted to the control room, and shown to maintenance: every reason with its entries, topic,
device and escaped payload. Screenshot in var/test-artifacts/console-quarantine.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from firmware_sim.malformed import catalogue
from tests.support import browser as cb
from tests.support.sites import small_site_text, write_site
from tests.support.stack import MOSQUITTO, Stack
from tests.utils import wait_until

pytestmark = [*cb.CONSOLE_MARKS, pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]
expect = cb.expect
GAS = "gas-1-1-0101"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("quarantine")
    site = write_site(tmp, small_site_text("testsite", floors=1, flats=2, interval_s=60))
    s = Stack(tmp, "mosquitto", site)
    try:
        s.start_broker()
        s.start_controlroom()
        s.start_sim()
        s.wait_sim_online()
        s.start_gateway()
        yield s
    finally:
        s.group.stop_all()


def _quarantine(stack: Stack, token: str) -> dict[str, Any]:
    r = httpx.get(f"{stack.api_url}/api/quarantine",
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    r.raise_for_status()
    return dict(r.json())


def test_the_quarantine_page_shows_the_malformed_catalogue(stack: Stack, browser: Any) -> None:
    entries = [m for m in catalogue() if m.site is None]  # another site's never reaches us
    for m in entries:
        stack.sim("inject", "--device", GAS, "malformed", "--value", m.name)
    reasons = sorted({m.reason for m in entries})
    token = stack.token("maintenance", "maintenance123")
    wait_until("every reason in the control room's quarantine",
               lambda: set(reasons) <= set(_quarantine(stack, token)["counts"]), 60)
    data = _quarantine(stack, token)
    for m in entries:
        assert data["counts"][m.reason] >= 1, m.name
    oversize = next(e for e in data["data"] if e["reason"] == "oversize")
    assert oversize["cut"] and len(oversize["payload"]) <= 1024 + 3 * 1024
    utf8 = next(e for e in data["data"] if e["reason"] == "bad_utf8")
    assert "\\x" in utf8["payload"]  # the bytes that are not UTF-8, escaped
    ghost = next(e for e in data["data"] if e["reason"] == "unknown_device")
    assert ghost["device"] == "ghost-9-9-9999" and ghost["source"].endswith("/evt")

    with cb.open_page(browser, stack.api_url) as page:
        view = cb.open_view(page, "quarantine", "maintenance")
        for reason in reasons:
            section = view.locator(f'[data-testid="quarantine-reason"][data-reason="{reason}"]')
            expect(section).to_be_visible()
            expect(section.get_by_test_id("quarantine-entry").first).to_be_visible()
        utf8_row = view.locator('[data-testid="quarantine-entry"][data-reason="bad_utf8"]').first
        expect(utf8_row.get_by_test_id("quarantine-payload")).to_contain_text("\\x")
        cb.shot(page, "quarantine")
    # the operator has no such page
    with cb.open_page(browser, stack.api_url) as page:
        cb.sign_in(page, "operator", "operator123")
        cb.wait_for_live_board(page)
        expect(page.get_by_test_id("view-tab-kpis")).to_be_visible()
        expect(page.get_by_test_id("view-tab-quarantine")).to_have_count(0)
