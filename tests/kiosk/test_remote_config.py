"""kiosk/remote_config.py: the control room's kiosk configuration as the `Site` the screens
read, holding no resident, staff account or device; a malformed answer is a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from config import load_site
from controlroom.services.residents.kiosk_configuration import promises
from kiosk.api_client import ApiClient
from kiosk.catalogue import Catalogue
from kiosk.controller import KioskController
from kiosk.flows.core import PUBLIC_REFRESH_S
from kiosk.kiosk_api import KioskApi
from kiosk.remote_config import site_from_config
from kiosk.tasks import TaskRunner
from kiosk.wording import use_promises
from tests.support.fake_kiosk_api import FakeKioskApi
from tests.support.kiosk_controller import Clock


def _config() -> dict:  # type: ignore[type-arg]
    """What the control room answers for kiosk-1 (built as the route builds it)."""
    site = load_site()
    k = site.kiosks["kiosk-1"]
    return {
        "site": {"id": site.id, "name_zh": site.name_zh, "name_en": site.name_en,
                 "hotline": site.hotline, "timezone": site.timezone},
        "kiosk": {"id": k.id, "building": k.building, "name_zh": k.name_zh,
                  "name_en": k.name_en},
        "fonts": list(site.kiosk_fonts),
        "menus": [{"id": m.id, "name_zh": m.name_zh, "name_en": m.name_en,
                   "note_zh": m.note_zh, "note_en": m.note_en,
                   "items": [{"id": i.id, "name_zh": i.name_zh, "name_en": i.name_en,
                              "department": i.department, "sla": i.sla, "price": i.price,
                              "quote": i.quote} for i in m.items]} for m in site.menus],
        "sla": {"respond_min": 10, "repair_on_site_min": 15, "urgent_repair_on_site_min": 30,
                "complaint_on_site_min": 60, "complaint_feedback_h": 24,
                "complaint_resolve_h": 8, "serious_complaint_resolve_working_days": 5},
        "promises": promises(site.sla),
        "repair_categories": [], "complaint_categories": [],
    }


def test_the_screens_see_the_same_menus_and_no_person() -> None:
    demo = load_site()
    site = site_from_config(_config(), "https://cr.example:8700")
    assert site.menus == demo.menus
    assert Catalogue(site, "kiosk-1").home("zh") == Catalogue(demo, "kiosk-1").home("zh")
    assert not site.residents and not site.staff and not site.devices
    assert site.kiosks["kiosk-1"].password == ""


def test_a_malformed_answer_is_a_clear_error() -> None:
    cfg = _config()
    del cfg["menus"]
    with pytest.raises(ValueError, match="lacks 'menus'"):
        site_from_config(cfg, "https://cr.example:8700")


# -- a running kiosk takes a changed configuration in (kiosk/flows/core.py) --------------------


@pytest.fixture
def restore_promises() -> Iterator[None]:
    yield
    use_promises({k: (v["zh"], v["en"]) for k, v in promises(load_site().sla).items()})


def _changed_config(repair_min: int, plumbing_price: float) -> dict:  # type: ignore[type-arg]
    cfg = _config()
    sla = replace(load_site().sla, repair_on_site_min=repair_min)
    cfg["sla"]["repair_on_site_min"] = repair_min
    cfg["promises"] = promises(sla)
    for m in cfg["menus"]:
        for i in m["items"]:
            if i["id"] == "plumbing":
                i["price"] = plumbing_price
    return cfg


def _plumbing(c: KioskController) -> tuple[str, tuple[str, ...]]:
    c.touch_start()
    c.open_menu("value-added")
    c.open_item("plumbing")
    view = c.view()
    c.go_home()
    return view.price, view.lines


def test_a_running_kiosk_follows_a_changed_sla_and_price_on_its_attract_screen(
        restore_promises: None) -> None:
    served: dict = {"cfg": _config() | {"version": "v1"}, "asked": 0}  # type: ignore[type-arg]
    fake = FakeKioskApi(load_site())

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/kiosk/config":
            served["asked"] += 1
            return httpx.Response(200, json=served["cfg"])
        answer = fake.handle(request)
        if request.url.path == "/api/kiosk/info":  # the version the control room has now
            return httpx.Response(200, json=answer.json() | {
                "config_version": served["cfg"]["version"]})
        return answer

    clock = Clock()
    client = ApiClient("http://cr", "kiosk-1", "kiosk1-secret",
                       transport=httpx.MockTransport(handle))
    site = site_from_config(served["cfg"], "http://cr")
    c = KioskController(site, "kiosk-1", KioskApi(client), TaskRunner(lambda fn: fn(),
                                                                        inline=True),
                        clock=clock, idle_s=60)
    c.start()
    assert _plumbing(c)[1][1] == "承诺：15 分钟内到场"
    c.logout()
    asked = served["asked"]
    clock.t += PUBLIC_REFRESH_S
    c.tick()
    assert served["asked"] == asked  # the same version: not asked again

    # The site's SLA and price change (the control room restarted with a new site file):
    # the attract screen's next look at `info` sees a new version and takes it in.
    served["cfg"] = _changed_config(20, 90.0) | {"version": "v2"}
    clock.t += PUBLIC_REFRESH_S
    c.tick()
    price, lines = _plumbing(c)
    assert lines[1] == "承诺：20 分钟内到场" and "90" in price

    # Never under a resident's fingers: the control room comes back while one is ordering.
    served["cfg"] = _changed_config(25, 95.0) | {"version": "v3"}
    c.touch_start()
    c.open_menu("value-added")
    c.open_item("plumbing")
    asked = served["asked"]
    c.health(False)
    c.health(False)  # offline after two failed probes
    c.health(True)  # back: info is asked for at once, and shows v3 ...
    assert served["asked"] == asked  # ... but the configuration waits for the attract screen
    assert c.view().lines[1] == "承诺：20 分钟内到场"
    c.logout()
    clock.t += PUBLIC_REFRESH_S
    c.tick()
    assert served["asked"] == asked + 1
    assert _plumbing(c)[1][1] == "承诺：25 分钟内到场"

    # A malformed answer is not taken: the kiosk goes on with what it has.
    c.logout()
    served["cfg"] = {"version": "v4"}
    clock.t += PUBLIC_REFRESH_S
    c.tick()
    assert _plumbing(c)[1][1] == "承诺：25 分钟内到场"
