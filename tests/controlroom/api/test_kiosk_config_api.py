"""`GET /api/kiosk/config` (issue 13): the kiosk's whole configuration from the API, for the
kiosk's own account only, worded from the site's SLA numbers, and nothing about a person."""

from __future__ import annotations

import json
from dataclasses import replace

from fastapi.testclient import TestClient

from config import Settings, SlaSettings, load_site
from controlroom.app import create_app
from controlroom.services.residents.kiosk_configuration import config_version, promises
from tests.controlroom.conftest import _passwords
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


def test_a_site_answering_in_15_minutes_says_15_everywhere_a_resident_reads_it(
        db_url: str) -> None:
    """The next step of a request just received, at the kiosk and in the vocabulary, and the
    configuration's version that tells a running kiosk to ask again, follow `respond_min`."""
    demo = load_site()
    site = replace(demo, sla=replace(demo.sla, respond_min=15))
    settings = Settings(db_url, site.mqtt_url, "http://testserver", demo=True)
    with TestClient(create_app(site, settings, _passwords())) as c:
        kiosk = auth(c, "kiosk-1", "kiosk1-secret")
        info = c.get("/api/kiosk/info", headers=kiosk).json()
        assert info["config_version"] == c.get("/api/kiosk/config",
                                               headers=kiosk).json()["version"]
        assert info["config_version"] != config_version(demo, demo.kiosks["kiosk-1"])
        session = c.post("/api/kiosk/session", headers=kiosk, json={
            "method": "pin", "unit": "1-2-1502", "pin": "246810"}).json()["session"]
        r = c.post("/api/kiosk/requests", headers=kiosk | {"X-Resident-Session": session},
                   json={"type": "help"})
        assert r.status_code == 201, r.text
        assert r.json()["next_step_zh"] == "管家将在15分钟内回复您并安排人员。"
        assert "within 15 minutes" in r.json()["next_step_en"]
        words = c.get("/api/requests/vocabulary", headers=kiosk).json()
        assert words["next_steps"]["received"]["zh"] == "管家将在15分钟内回复您并安排人员。"
