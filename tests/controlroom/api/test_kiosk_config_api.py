"""`GET /api/kiosk/config` (issue 13): the kiosk's whole configuration from the API, for the
kiosk's own account only, worded from the site's SLA numbers, and nothing about a person."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from config import SlaSettings, load_site
from controlroom.services.residents.kiosk_configuration import promises
from tests.utils import auth


def test_the_kiosk_gets_its_configuration_and_no_personal_data(client: TestClient) -> None:
    site = load_site()
    r = client.get("/api/kiosk/config", headers=auth(client, "kiosk-2", "kiosk2-secret"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kiosk"]["id"] == "kiosk-2" and body["kiosk"]["building"] == "2"
    assert [m["id"] for m in body["menus"]] == [m.id for m in site.menus]
    assert body["sla"]["repair_on_site_min"] == site.sla.repair_on_site_min
    assert body["promises"]["repair"] == {"zh": "15 分钟内到场", "en": "on site within 15 min"}
    text = json.dumps(body, ensure_ascii=False)
    for r_ in site.residents:
        for secret in (r_.pin, r_.card, r_.phone, r_.name):
            assert not secret or secret not in text, "personal data in the kiosk's config"
    for s in site.staff.values():
        assert s.password not in text


def test_only_a_kiosk_may_read_it(client: TestClient) -> None:
    assert client.get("/api/kiosk/config").status_code == 401
    r = client.get("/api/kiosk/config", headers=auth(client, "operator", "operator123"))
    assert r.status_code == 403


def test_promises_follow_the_numbers() -> None:
    words = promises(SlaSettings(respond_min=5, repair_on_site_min=20,
                                 urgent_repair_on_site_min=45, complaint_on_site_min=120))
    assert words["request"] == {"zh": "5 分钟内响应", "en": "answered within 5 min"}
    assert words["repair"]["zh"] == "20 分钟内到场"
    assert words["urgent_repair"]["en"] == "on site within 45 min"
    assert words["complaint"] == {"zh": "2 小时内到场", "en": "staff on site within 2 h"}
    assert words["paid"]["en"] == "answered within 5 min, visit booked"
