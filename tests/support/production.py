"""A production installation for tests: the demo site with every password replaced by the
argon2 hash of a fresh one (`hashed_site`), a strong secret key, and the control room run as
a process outside demo mode (`run_production`), over HTTP or HTTPS."""

from __future__ import annotations

import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from tests.support.postgres import test_db_url
from tests.support.sites import demo_text, write_site

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 120.0  # a ceiling, not a wait
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
ACCOUNT = re.compile(r'^(?:username|id) = "([^"]+)"$')
PASSWORD = re.compile(r'^password = "[^"]*"$')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hashed_site_text(text: str | None = None) -> tuple[str, dict[str, str]]:
    """The site file with each account's `password = "..."` replaced by a `password_hash` of a
    new random password; and account -> that password."""
    out, passwords, account = [], {}, ""
    for line in (text if text is not None else demo_text()).splitlines():
        m = ACCOUNT.match(line)
        if m:
            account = m.group(1)
        if PASSWORD.match(line):
            passwords[account] = f"{account}-{secrets.token_urlsafe(12)}"
            line = f'password_hash = "{CHEAP.hash(passwords[account])}"'
        out.append(line)
    return "\n".join(out) + "\n", passwords


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production control room: not demo, a strong secret key."""
    return {**os.environ, "BUTLER_DEMO": "0", "BUTLER_SECRET_KEY": secrets.token_hex(32),
            "PYTHONUNBUFFERED": "1", **extra}


@dataclass
class Production:
    base_url: str
    site: Path
    passwords: dict[str, str]
    db_url: str
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"


def _up(url: str, verify: ssl.SSLContext | bool) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=1, verify=verify).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def run_production(tmp: Path, *, tls: tuple[Path, Path, Path] | None = None,
                   site_text: str | None = None) -> Iterator[Production]:
    """`python -m controlroom` in production mode on a hashed copy of the demo site (or of
    `site_text`), on a free port; `tls`: (CA file, certificate file, key file) to serve
    HTTPS."""
    text, passwords = hashed_site_text(site_text)
    site = write_site(tmp, text, "production-site.toml")
    port = free_port()
    scheme = "https" if tls else "http"
    base_url = f"{scheme}://127.0.0.1:{port}"
    db_url = test_db_url(tmp, "prod")
    env = production_env(BUTLER_DB_URL=db_url, BUTLER_API_URL=base_url)
    args = ["--config", str(site), "--port", str(port)]
    if tls:
        args += ["--ssl-certfile", str(tls[1]), "--ssl-keyfile", str(tls[2])]
    log = tmp / "controlroom-production.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "controlroom", *args], cwd=REPO,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    room = Production(base_url, site, passwords, db_url, log, env)
    verify = ssl.create_default_context(cafile=tls[0]) if tls else True
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _up(base_url, verify):
            if proc.poll() is not None:
                pytest.fail(f"control room exited with {proc.returncode}:\n{room.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"control room not up after {STARTUP_TIMEOUT_S:.0f} s:\n"
                            f"{room.log_tail()}")
            time.sleep(0.1)
        yield room
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
