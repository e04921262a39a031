"""Acceptance 4 of issue 18: Debian's nginx with the shipped deploy/nginx/butler.conf in front
of two control-room replicas on one PostgreSQL. HTTPS works (a CA made by this test; nginx
ends TLS), the live event stream passes an alert within 1 s, and with one replica SIGKILLed
the console keeps working through the other (sign-in, the board, a new stream, new events).

The shipped file is used as it is but for its ports and certificate paths (free ports and the
test's CA), and it is wrapped in a minimal nginx.conf of the test's own (temp paths, no
daemon), as /etc/nginx/nginx.conf wraps it on a server."""

from __future__ import annotations

import json
import shutil
import signal
import ssl
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from launcher.postgres import bin_dir
from launcher.processes import ROOT, ProcessGroup, free_port
from tests.support import postgres
from tests.support.secure_broker import make_ca
from tests.utils import wait_until

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                  else None)
pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed "
                       "(scripts/system-deps.sh test installs it)"),
    pytest.mark.skipif(bin_dir() is None, reason="PostgreSQL is not installed "
                       "(scripts/system-deps.sh test installs it)"),
]


def nginx_conf(tmp: Path, https: int, http: int, upstreams: tuple[int, int],
               cert: Path, key: Path) -> Path:
    shipped = (ROOT / "deploy" / "nginx" / "butler.conf").read_text()
    site = (shipped.replace("127.0.0.1:8710", f"127.0.0.1:{upstreams[0]}")
            .replace("127.0.0.1:8711", f"127.0.0.1:{upstreams[1]}")
            .replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;")
            .replace("listen 80;", f"listen 127.0.0.1:{http};")
            .replace("/etc/butler/tls/server.crt", str(cert))
            .replace("/etc/butler/tls/server.key", str(key)))
    assert site.count(str(upstreams[1])) == 1 and str(cert) in site, "the shipped file changed"
    (tmp / "butler.conf").write_text(site)
    temp = "".join(f"{kind}_temp_path {tmp}/{kind};\n    "
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
daemon off;
master_process on;
worker_processes 1;
user root root;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    {temp}include {tmp}/butler.conf;
}}
""")
    return conf


class Stream:
    """The live board's SSE stream through nginx, read in a thread; alert events with their
    arrival times."""

    def __init__(self, url: str, token: str, verify: ssl.SSLContext) -> None:
        self.events: list[tuple[float, dict[str, object]]] = []
        self.connected = threading.Event()
        self.client = httpx.Client(verify=verify, timeout=httpx.Timeout(5.0, read=None))
        threading.Thread(target=self._run, args=(url, token), daemon=True).start()

    def _run(self, url: str, token: str) -> None:
        try:
            with self.client.stream("GET", url,
                                    headers={"Authorization": f"Bearer {token}"}) as r:
                assert r.status_code == 200
                self.connected.set()
                event = ""
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "alert":
                        self.events.append((time.monotonic(), json.loads(line[5:])))
        except (httpx.HTTPError, AssertionError):
            return

    def arrival_of(self, device: str) -> float | None:
        return next((t for t, e in self.events if e.get("device") == device), None)

    def close(self) -> None:
        self.client.close()


def _raise(http: httpx.Client, gw: str, n: int, device: str) -> float:
    sent = time.monotonic()
    r = http.post("/api/gateway/signals", headers={"Authorization": f"Bearer {gw}"}, json={
        "key": f"ngx-{n}/gas_alarm", "device": device, "kind": "gas_alarm", "priority": 1,
        "condition": "active", "observed_at": "2026-12-04T10:00:00+00:00"})
    assert r.status_code in (200, 201), r.text
    return sent


def _token(http: httpx.Client, user: str, password: str) -> str:
    r = http.post("/api/auth/token", data={"username": user, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_nginx_tls_sse_and_a_killed_replica(tmp_path: Path) -> None:
    tls = make_ca(tmp_path / "tls")
    verify = ssl.create_default_context(cafile=str(tls.cafile))
    db_url = postgres.fresh_postgres_url("ngx")
    ports = (free_port(), free_port())
    https, http_port = free_port(), free_port()
    group = ProcessGroup(tmp_path / "log", env={
        "BUTLER_DB_URL": db_url, "BUTLER_TRUSTED_PROXIES": "127.0.0.1",
        "BUTLER_PASSWORD_HASH_COST": "low", "BUTLER_DEMO_DATA": "0"})
    try:
        for i, port in enumerate(ports):
            cr = group.start(f"controlroom-{i}", ["-m", "controlroom", "--port", str(port)],
                             env={"BUTLER_API_URL": f"http://127.0.0.1:{port}"})
            group.wait_http(f"http://127.0.0.1:{port}/readyz", cr, timeout=90)
        conf = nginx_conf(tmp_path, https, http_port, ports, tls.certfile, tls.keyfile)
        assert NGINX is not None
        check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        ngx = group.start("nginx", [NGINX, "-p", str(tmp_path), "-c", str(conf)], python=False)
        group.wait_port("127.0.0.1", https, ngx)
        base = f"https://127.0.0.1:{https}"

        # Plain HTTP is sent to HTTPS; the certificate is checked against the test's CA.
        r = httpx.get(f"http://127.0.0.1:{http_port}/api/health", timeout=5)
        assert r.status_code == 301 and r.headers["location"].startswith("https://")
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base}/api/health", timeout=5)  # not trusted without the CA

        with httpx.Client(base_url=base, verify=verify, timeout=10) as http:
            assert http.get("/api/health").status_code == 200
            assert http.get("/metrics").status_code == 200  # from the host itself: allowed
            op, gw = _token(http, "operator", "operator123"), _token(http, "gateway",
                                                                       "gateway123")
            stream = Stream(f"{base}/api/alerts/stream", op, verify)
            try:
                assert stream.connected.wait(10)
                for n, device in enumerate(("gas-1-2-1502", "gas-1-1-0101", "gas-1-1-0102")):
                    sent = _raise(http, gw, n, device)
                    wait_until(f"{device}'s alert on the stream",
                               lambda d=device: stream.arrival_of(d) is not None, 10)
                    took = stream.arrival_of(device) - sent  # type: ignore[operator]
                    assert took < 1.0, f"the event took {took:.2f} s through nginx"
            finally:
                stream.close()

            # One replica gone: everything still answers, through the other.
            group.stop("controlroom-0", signal.SIGKILL)
            for _ in range(6):
                assert http.get("/api/alerts", headers={"Authorization": f"Bearer {op}"}
                                ).status_code == 200
            op = _token(http, "operator", "operator123")
            stream = Stream(f"{base}/api/alerts/stream", op, verify)
            try:
                assert stream.connected.wait(10)
                sent = _raise(http, gw, 9, "gas-1-1-0201")
                wait_until("an alert on the stream with one replica",
                           lambda: stream.arrival_of("gas-1-1-0201") is not None, 10)
                assert stream.arrival_of("gas-1-1-0201") - sent < 1.0  # type: ignore[operator]
            finally:
                stream.close()
            assert http.get("/").status_code == 200  # the console page itself
    finally:
        group.stop_all()
        postgres.drop(db_url)
