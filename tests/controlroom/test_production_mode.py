"""Production is the default (issue 13, acceptance 1): outside demo mode the real control room
refuses, in one line and exit status 2, a missing or default secret key, a password in plain
text and a demo password; with hashed passwords and a secret it starts, and writes no demo
data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.support.production import (
    CHEAP,
    REPO,
    hashed_site_text,
    production_env,
    run_production,
)
from tests.support.sites import DEMO_SITE, write_site
from tests.utils import auth


def _start(site: Path, tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "controlroom", "--config", str(site), "--port", "1"],
        cwd=REPO, text=True, capture_output=True, timeout=120,
        env=production_env(BUTLER_DB_URL=f"sqlite:///{tmp}/never.db", **env))


def _one_line(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def test_the_demo_site_file_is_refused_outside_demo_mode(tmp_path: Path) -> None:
    line = _one_line(_start(DEMO_SITE, tmp_path))
    assert "demo password" in line and "'operator'" in line and "--demo" in line, line
    assert not (tmp_path / "never.db").exists()  # refused before touching the database


@pytest.mark.parametrize("secret", ["", "change-me", "too-short-a-secret"])
def test_a_missing_or_default_secret_key_is_refused(tmp_path: Path, secret: str) -> None:
    site = write_site(tmp_path, hashed_site_text()[0])
    line = _one_line(_start(site, tmp_path, BUTLER_SECRET_KEY=secret))
    assert line.startswith("error: BUTLER_SECRET_KEY"), line


def _with_line(account: str, line: str) -> str:
    """The hashed site with `account`'s password_hash line replaced by `line`."""
    lines = hashed_site_text()[0].splitlines()
    at = next(i for i, x in enumerate(lines) if x in (f'username = "{account}"',
                                                     f'id = "{account}"'))
    hashed = next(i for i in range(at, len(lines)) if lines[i].startswith("password_hash"))
    lines[hashed] = line
    return "\n".join(lines) + "\n"


def test_a_plain_text_password_is_refused(tmp_path: Path) -> None:
    site = write_site(tmp_path, _with_line("maintenance", 'password = "a-new-long-password"'))
    line = _one_line(_start(site, tmp_path))
    assert "'maintenance'" in line and "plain text" in line, line


def test_a_hash_of_a_demo_password_is_refused(tmp_path: Path) -> None:
    site = write_site(tmp_path, _with_line("admin", f'password_hash = "{CHEAP.hash("admin123")}"'))
    line = _one_line(_start(site, tmp_path))
    assert "'admin'" in line and "demo password" in line, line


def test_with_hashed_passwords_and_a_secret_it_starts_without_demo_data(tmp_path: Path
                                                                        ) -> None:
    with run_production(tmp_path) as room:
        headers = auth(room.base_url, "frontdesk", room.passwords["frontdesk"])
        r = httpx.get(f"{room.base_url}/api/notices", headers=headers, timeout=10)
        assert r.status_code == 200, r.text
        bad = httpx.post(f"{room.base_url}/api/auth/token", timeout=10,
                         data={"username": "admin", "password": "admin123"})
        assert bad.status_code == 401
    engine = create_engine(room.db_url)
    try:
        with engine.connect() as c:
            fees = c.execute(text("SELECT count(*) FROM fee_statements")).scalar_one()
            notices = c.execute(text("SELECT count(*) FROM notices")).scalar_one()
    finally:
        engine.dispose()
    assert (fees, notices) == (0, 0)
