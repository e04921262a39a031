"""Staff accounts in the database (issue 13, acceptance 2): `python -m controlroom users`
adds an account that can sign in; disabling it (or resetting its password) makes the very
next call with the old token a 401. Against the real control room, in production mode."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.support.production import REPO, Production, run_production
from tests.utils import token


def users(room: Production, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "controlroom", "users", "--config", str(room.site), *args],
        cwd=REPO, text=True, capture_output=True, timeout=120, input=stdin, env=room.env)


def _alerts(room: Production, tok: str) -> int:
    return httpx.get(f"{room.base_url}/api/alerts", timeout=10,
                     headers={"Authorization": f"Bearer {tok}"}).status_code


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    with run_production(tmp_path_factory.mktemp("users")) as room:
        yield room


def test_add_sign_in_disable_reset(room: Production) -> None:
    r = users(room, "add", "alice", "--role", "operator", "--name", "Alice",
              stdin="alice-long-password\n")
    assert r.returncode == 0, r.stderr
    old = token(room.base_url, "alice", "alice-long-password")
    assert _alerts(room, old) == 200

    listed = users(room, "list")
    assert "alice\toperator\tactive\tdb\tAlice" in listed.stdout, listed.stdout

    r = users(room, "disable", "alice")
    assert r.returncode == 0, r.stderr
    assert _alerts(room, old) == 401  # the next call, no restart
    refused = httpx.post(f"{room.base_url}/api/auth/token", timeout=10,
                         data={"username": "alice", "password": "alice-long-password"})
    assert refused.status_code == 401

    r = users(room, "reset", "alice", stdin="alice-other-password\n")
    assert r.returncode == 0, r.stderr
    new = token(room.base_url, "alice", "alice-other-password")
    assert _alerts(room, new) == 200 and _alerts(room, old) == 401

    # A site-file account: resetting it ends its session too.
    op = token(room.base_url, "operator", room.passwords["operator"])
    assert users(room, "reset", "operator", stdin="operator-new-password\n").returncode == 0
    assert _alerts(room, op) == 401
    engine = create_engine(room.db_url)
    try:
        with engine.connect() as c:
            trail = c.execute(text("SELECT action, target FROM audit_log WHERE actor LIKE "
                                   "'cli%' AND target IN ('alice', 'operator') ORDER BY id")
                              ).all()
    finally:
        engine.dispose()
    assert [tuple(t) for t in trail] == [("account_added", "alice"),
                                         ("account_disabled", "alice"),
                                         ("password_reset", "alice"),
                                         ("password_reset", "operator")]


def test_bad_passwords_and_unknown_accounts_are_one_line_errors(room: Production) -> None:
    for args, stdin, want in [
        (("add", "bob", "--role", "operator"), "short\n", "at least 10"),
        (("add", "bob", "--role", "admin"), "admin123\n", "at least 10"),
        (("add", "bob", "--role", "admin"), "supervisor123\n", "demo password"),
        (("add", "operator", "--role", "admin"), "a-long-enough-one\n", "exists"),
        (("disable", "nobody"), "", "no account 'nobody'"),
    ]:
        r = users(room, *args, stdin=stdin)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and want in r.stderr, r.stderr
    assert "bob" not in users(room, "list").stdout


def test_hash_prints_a_password_hash_for_the_site_file(room: Production) -> None:
    r = users(room, "hash", stdin="a-site-file-password\n")
    assert r.returncode == 0 and r.stdout.startswith("$argon2id$"), r.stderr
    from argon2 import PasswordHasher
    assert PasswordHasher().verify(r.stdout.strip(), "a-site-file-password")
