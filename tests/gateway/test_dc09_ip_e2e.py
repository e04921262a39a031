"""End to end: the simulator's IP panel (firmware_sim.dc09_ip, written apart from the receiver)
reports over TCP and UDP, ADM-CID and SIA-DCS, encrypted with the key the site file gives its
account, to `python -m gateway --dc09-port`; the control room raises the right alerts (the alarm
API is the judge); a panel with a wrong key or a stale clock is refused with a NAK and raises
nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from config import load_site
from firmware_sim import dc09
from firmware_sim.dc09_ip import IpPanel
from launcher.processes import ProcessGroup, free_port, tail
from tests.support.sites import demo_text, write_site
from tests.utils import wait_until

KEY = "0123456789ABCDEF"
ROOT = Path(__file__).resolve().parents[2]


class Estate:
    def __init__(self, api_url: str, dc09_port: int, token: str, site: Path) -> None:
        self.api_url, self.port, self.token, self.site = api_url, dc09_port, token, site

    def alerts(self, **params: str) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.api_url}/api/alerts", params={"state": "all", **params},
                      headers={"Authorization": f"Bearer {self.token}"}, timeout=10)
        r.raise_for_status()
        return list(r.json()["data"])

    def wait_alert(self, what: str, **params: str) -> dict[str, Any]:
        return wait_until(what, lambda: next(iter(self.alerts(**params)), None),  # type: ignore[no-any-return]
                          60, every=0.1)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    tmp = tmp_path_factory.mktemp("dc09ip")
    text = demo_text().replace('account = "2001"', f'account = "2001"\nkey = "{KEY}"', 1)
    text += ('\n[[panels]]\nid = "panel-2b"\nbuilding = "2"\naccount = "2002"\nport = "ip"\n'
             'zones = { "001" = "2-1-0201", "002" = "2-1-0202" }\n')
    site = write_site(tmp, text)
    assert load_site(site).panels["panel-2"].key == KEY
    mqtt_port, api_port, dc09_port = free_port(), free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    group = ProcessGroup(tmp / "log", env={
        "BUTLER_SITE": str(site), "BUTLER_DB_URL": f"sqlite:///{tmp}/butler.db",
        "BUTLER_API_URL": api_url, "BUTLER_MQTT_URL": f"mqtt://127.0.0.1:{mqtt_port}"})
    try:
        broker = group.start("broker", ["-m", "gateway.embedded_broker", "--port",
                                        str(mqtt_port)])
        group.wait_port("127.0.0.1", mqtt_port, broker)
        cr = group.start("controlroom", ["-m", "controlroom"])
        group.wait_http(f"{api_url}/api/health", cr, timeout=60)
        gw = group.start("gateway", ["-m", "gateway", "--state-dir", str(tmp),
                                     "--metrics-port", "0", "--dc09-port", str(dc09_port)])
        group.wait_port("127.0.0.1", dc09_port, gw)
        r = httpx.post(f"{api_url}/api/auth/token",
                       data={"username": "operator", "password": "operator123"}, timeout=10)
        r.raise_for_status()
        yield Estate(api_url, dc09_port, r.json()["access_token"], site)
        group.stop("gateway")
        assert gw.proc.returncode == 0, tail(gw.log)
        assert "Traceback" not in gw.log.read_text(errors="replace")
    finally:
        group.stop_all()


# panel-2 (account 2001) has a key; panel-2b (account 2002) reports in clear
@pytest.mark.parametrize(("transport", "fmt", "encrypted", "event", "zone", "unit", "kind"), [
    ("tcp", "SIA-DCS", True, 151, 1, "2-1-0101", "gas_alarm"),
    ("udp", "SIA-DCS", False, 110, 1, "2-1-0201", "fire"),
    ("tcp", "ADM-CID", False, 100, 2, "2-1-0202", "medical"),
    ("udp", "ADM-CID", True, 120, 4, "2-1-0104", "panic"),
])
def test_ip_panel_raises_the_right_alert(estate: Estate, transport: str, fmt: str,
                                         encrypted: bool, event: int, zone: int, unit: str,
                                         kind: str) -> None:
    panel = IpPanel("2001" if encrypted else "2002", "127.0.0.1", estate.port,
                    transport=transport, fmt=fmt,  # type: ignore[arg-type]
                    key=KEY if encrypted else None)
    try:
        sent = panel.send(dc09.NEW, event, zone)
    finally:
        panel.close()
    assert sent.answers == ["*ACK" if encrypted else "ACK"]
    alert = estate.wait_alert(f"a {kind} for {unit}", unit=unit, kind=kind)
    assert (alert["device"], alert["building"], alert["priority"], alert["condition"]) == (
        "panel-2" if encrypted else "panel-2b", "2", 1, "active")


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_wrong_key_and_stale_clock_are_refused(estate: Estate, transport: str) -> None:
    before = len(estate.alerts(kind="tamper"))
    # a wrong key, a stale clock, and in clear from the account that has a key
    for key, offset in (("FEDCBA9876543210", 0.0), (KEY, -120.0), (None, 0.0)):
        panel = IpPanel("2001", "127.0.0.1", estate.port, transport=transport,  # type: ignore[arg-type]
                        key=key, max_attempts=2, ack_timeout_s=5)
        try:
            sent = panel.send(dc09.NEW, 137, 1, clock_offset_s=offset)
        finally:
            panel.close()
        assert sent.answers == ["NAK", "NAK"]
    # the CLI, in clear, as a stale panel, then right: the exit code says which was taken
    cli = [sys.executable, "-m", "firmware_sim", "--config", str(estate.site), "panel-ip",
           "--panel", "panel-2", "--port", str(estate.port), "--format", "ADM-CID",
           "--event", "tamper", "--unit", "2-1-0101"] + (["--udp"] if transport == "udp" else [])
    stale = subprocess.run([*cli, "--clock-offset", "-300"], capture_output=True, text=True,
                           cwd=ROOT, timeout=60)
    assert stale.returncode == 1 and "NAK" in stale.stdout, stale.stdout + stale.stderr
    assert len(estate.alerts(kind="tamper")) == before
    ok = subprocess.run(cli, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert ok.returncode == 0 and "*ACK -> acked" in ok.stdout, ok.stdout + ok.stderr
    estate.wait_alert("the tamper alert", kind="tamper", unit="2-1-0101")
