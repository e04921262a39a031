"""The kiosk without the site file (issue 13, acceptances 4 and 5): `python -m kiosk --api
https://... --kiosk ID` with its secret in BUTLER_KIOSK_SECRET and the control room's CA in
BUTLER_CA_FILE, in production mode, the site file unreadable to it, completes a PIN login, an
order and a parcel pickup; its menus and promise words come from the API (the site's own SLA
numbers); and no file it reads holds a resident's PIN, card number or phone, or a staff
password."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from config import Site, load_site
from tests.support.kiosk_gui import after, keep_artifacts
from tests.support.kiosk_run import run_kiosk
from tests.support.production import run_production
from tests.support.secure_broker import make_ca
from tests.support.sites import DEMO_SITE, demo_text


def _secrets(site: Site, staff_passwords: dict[str, str]) -> set[str]:
    """Everything the lobby must never hold: residents' PINs, cards and phones (theirs and
    their emergency contacts'), and every staff password (the demo's and this run's)."""
    out: set[str] = set()
    for r in site.residents:
        out |= {x for x in (r.pin, r.card, r.phone) if x}
        out |= {c.phone for c in r.emergency_contacts}
    out |= {s.password for s in site.staff.values() if s.password}
    out |= {p for name, p in staff_passwords.items() if name in site.staff}
    return out


def _text_files(paths: list[str]) -> list[Path]:
    """The regular text files among `paths` (no NUL byte: fonts, images and bytecode are
    not where a PIN would be written down)."""
    out = []
    for p in map(Path, paths):
        try:
            data = p.read_bytes() if p.is_file() else b"\0"
        except OSError:
            continue
        if b"\0" not in data:
            out.append(p)
    return out


@pytest.mark.gui
@pytest.mark.timeout(600)
def test_login_order_and_pickup_with_only_api_kiosk_and_secret_over_https(
        display: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("kiosk-without-site")
    tls = make_ca(work / "ca")
    # The site's own promise: a repair on site within 20 minutes, not the default 15.
    text = demo_text().replace("repair_on_site_min = 15", "repair_on_site_min = 20", 1)
    with run_production(work, tls=(tls.cafile, tls.certfile, tls.keyfile),
                        site_text=text) as room:
        ca = ssl.create_default_context(cafile=tls.cafile)
        with httpx.Client(base_url=room.base_url, verify=ca, timeout=20) as http:
            desk = http.post("/api/auth/token", data={
                "username": "frontdesk", "password": room.passwords["frontdesk"]}).json()
            r = http.post("/api/items", headers={
                "Authorization": f"Bearer {desk['access_token']}"}, json={
                "unit": "1-2-1502", "kind": "parcel", "pieces": 1, "location": "B-07",
                "carrier": "SF"})
            assert r.status_code == 201, r.text
            code = str(r.json()["code"])
        opened = work / "opened.txt"
        steps: list[dict[str, Any]] = [
            {"tap_text": "请触摸屏幕开始"}, {"wait_screen": "home"},
            {"tap_text": "增值管家服务"}, {"wait_screen": "menu"},
            {"tap_text": "水管维修"}, {"wait_screen": "item"},
            {"screenshot": "item.png"},
            {"tap_text": "登录后下单"}, {"wait_screen": "login"},
            {"tap_keys": "1-2-1502"}, {"tap_text": "登录"}, {"tap_keys": "246810"},
            {"tap_text": "登录"}, {"wait_screen": "confirm"},
            {"tap_text": "确认下单"}, {"wait_screen": "message"},
            {"screenshot": "ordered.png"},
            {"tap_text": "完成"}, {"wait_screen": "home"},
            {"tap_text": "取件"}, {"wait_screen": "pickup"},
            {"tap_keys": code}, {"tap_text": "查找"}, {"wait_screen": "found"},
            {"screenshot": "found.png"},
            {"tap_text": "确认已取 1 件"}, {"wait_text": "取件完成"},
        ]
        try:
            run = run_kiosk(
                display, work / "kiosk", steps, "--api", room.base_url, "--kiosk", "kiosk-1",
                "--idle", "600",
                env={"BUTLER_DEMO": "0", "BUTLER_KIOSK_SECRET": room.passwords["kiosk-1"],
                     "BUTLER_CA_FILE": str(tls.cafile), "BUTLER_SITE": str(room.site),
                     "KIOSK_TEST_OPENED_LOG": str(opened),
                     "KIOSK_TEST_FORBID": os.pathsep.join([str(room.site), str(DEMO_SITE)])},
                timeout=500)
        finally:
            keep_artifacts(work / "kiosk")
        report = run.check()
        log = room.log.read_text(errors="replace")

    item = after(report, "screenshot", "item.png")["texts"]
    assert any("20 分钟内到场" in t for t in item), item  # the API's promise
    ordered = after(report, "screenshot", "ordered.png")["texts"]
    assert "已下单" in ordered and "您好，陈*" in ordered, ordered
    assert "B-07" in after(report, "screenshot", "found.png")["texts"]
    assert '"GET /api/kiosk/config HTTP/1.1" 200' in log

    paths = opened.read_text(encoding="utf-8").splitlines()
    assert paths, "the open log is empty: the watch is broken"
    site_files = {os.path.realpath(room.site), os.path.realpath(DEMO_SITE)}
    assert not site_files & set(paths)
    secrets = _secrets(load_site(DEMO_SITE), room.passwords)
    # The test driver's script (it types the PIN) and its report are the test's, not the
    # kiosk's.
    harness = {os.path.realpath(work / "kiosk" / n) for n in ("script.json", "report.json")}
    files = _text_files([p for p in paths if p not in harness])
    assert any(p.suffix == ".kv" for p in files), "the kiosk's own .kv files are read"
    for p in files:
        body = p.read_text(encoding="utf-8", errors="replace")
        leaked = sorted(s for s in secrets if s in body)
        assert not leaked, f"{p} holds {len(leaked)} resident/staff secrets"
