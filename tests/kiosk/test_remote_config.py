"""kiosk/remote_config.py: the control room's kiosk configuration as the `Site` the screens
read, holding no resident, staff account or device; a malformed answer is a clear error."""

from __future__ import annotations

import pytest

from config import load_site
from controlroom.api.routes.kiosk_config import promises
from kiosk.catalogue import Catalogue
from kiosk.remote_config import site_from_config


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
