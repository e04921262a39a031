"""HTTPS (issue 13, acceptance 5): the control room serves TLS with a certificate of a CA this
test makes; the real gateway, given that CA in BUTLER_CA_FILE, delivers a gas alarm to it; a
plain-HTTP client gets nothing, nor does a client that does not know the CA; the kiosk refuses
a plain-HTTP API outside demo (the kiosk's HTTPS run: tests/kiosk/test_kiosk_without_site.py).
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.production import REPO, run_production
from tests.support.secure_broker import make_ca
from tests.support.stack import Stack
from tests.utils import wait_until


def test_the_gateway_delivers_over_https_and_plain_http_gets_nothing(tmp_path: Path) -> None:
    tls = make_ca(tmp_path / "ca")
    with run_production(tmp_path, tls=(tls.cafile, tls.certfile, tls.keyfile)) as room:
        ca = ssl.create_default_context(cafile=tls.cafile)
        plain = room.base_url.replace("https://", "http://")
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{plain}/api/health", timeout=5)
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{room.base_url}/api/health", timeout=5)  # the system's CAs only

        stack = Stack(tmp_path / "stack", site=room.site)
        (tmp_path / "stack").mkdir()
        stack.group.env.update({
            "BUTLER_API_URL": room.base_url, "BUTLER_CA_FILE": str(tls.cafile),
            "BUTLER_GATEWAY_PASSWORD": room.passwords["gateway"], "BUTLER_DEMO": "0"})
        try:
            stack.start_broker()
            stack.start_gateway()
            stack.start_sim()
            stack.wait_sim_online()
            stack.sim("gas", "--unit", "1-2-1502")
            with httpx.Client(base_url=room.base_url, verify=ca, timeout=10) as http:
                tok = http.post("/api/auth/token", data={
                    "username": "operator", "password": room.passwords["operator"]}
                ).json()["access_token"]

                def gas_alarm() -> bool:
                    r = http.get("/api/alerts", params={"state": "open"},
                                 headers={"Authorization": f"Bearer {tok}"})
                    r.raise_for_status()
                    return any(a["kind"] == "gas_alarm" and a["unit"] == "1-2-1502"
                               for a in r.json()["data"])

                wait_until("the gas alarm, delivered by the gateway over HTTPS", gas_alarm, 60)
        finally:
            stack.group.stop_all()


def _kiosk(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], cwd=REPO, text=True, capture_output=True,
        timeout=120, env={**os.environ, "BUTLER_DEMO": "0", **env})


def test_the_kiosk_refuses_plain_http_and_the_site_file_outside_demo() -> None:
    r = _kiosk("--api", "http://127.0.0.1:8700", "--kiosk", "kiosk-1",
               BUTLER_KIOSK_SECRET="a-kiosk-secret")
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()], r.stderr
    assert "plain-HTTP" in r.stderr and "https://" in r.stderr, r.stderr
    r = _kiosk()  # the demo's way: the site file
    assert r.returncode == 2 and "--api" in r.stderr and len(r.stderr.splitlines()) == 1, \
        r.stderr
    r = _kiosk("--api", "https://127.0.0.1:8700", "--kiosk", "kiosk-1", BUTLER_KIOSK_SECRET="")
    assert r.returncode == 2 and "BUTLER_KIOSK_SECRET" in r.stderr, r.stderr
