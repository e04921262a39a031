"""Acceptance 3 of issue 18: `python -m controlroom backup --to`, the database wiped, `restore
--from`: the alerts and their history, requests, held items, accounts and the audit are all
back, the board shows the same rows, and the broker secret is back in its file. On SQLite (the
online backup API) and PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from config import Settings, load_site
from controlroom.app import create_app
from controlroom.core.db import make_engine
from launcher.postgres import bin_dir
from launcher.processes import ROOT
from tests.controlroom.conftest import _passwords
from tests.support import postgres
from tests.utils import auth

TABLES = ("alerts", "alert_history", "service_requests", "service_request_history",
          "held_items", "users", "audit_log", "devices")


def _app(db_url: str) -> TestClient:
    site = load_site()
    return TestClient(create_app(site, Settings(db_url, site.mqtt_url, "http://testserver"),
                                 _passwords()))


def _fill(c: TestClient) -> None:
    gw = auth(c, "gateway", "gateway123")
    op = auth(c, "operator", "operator123")
    desk = auth(c, "frontdesk", "frontdesk123")
    r = c.post("/api/gateway/signals", headers=gw, json={
        "key": "bk-1/gas_alarm", "device": "gas-1-2-1502", "kind": "gas_alarm", "priority": 1,
        "condition": "active", "observed_at": "2026-12-04T10:00:00+00:00"})
    assert r.status_code in (200, 201), r.text
    alert_id = r.json()["alert"]["id"]
    assert c.post(f"/api/alerts/{alert_id}/ack", headers=op, json={"note": "on it"}
                  ).status_code == 200
    assert c.post("/api/requests", headers=desk, json={
        "unit": "1-2-1502", "type": "repair", "category": "taps"}).status_code == 201
    assert c.post("/api/items", headers=desk, json={
        "unit": "1-2-1502", "kind": "parcel", "pieces": 1, "location": "B-01",
        "carrier": "EMS", "barcode": "EMS0001"}).status_code == 201


def _board(c: TestClient) -> dict[str, Any]:
    """What people see: the alarm board, the request queue, the desk's held items."""
    op = auth(c, "operator", "operator123")
    desk = auth(c, "frontdesk", "frontdesk123")
    return {
        "board": c.get("/api/alerts", headers=op, params={"state": "all"}).json(),
        "requests": c.get("/api/requests", headers=desk).json(),
        "items": c.get("/api/items", headers=desk).json(),
    }


def _rows(db_url: str) -> dict[str, Any]:
    """Every row of the tables that matter (read with no sign-in in between: each is
    audited)."""
    seen: dict[str, Any] = {}
    engine = make_engine(db_url)
    meta = MetaData()
    meta.reflect(engine, only=TABLES)
    with engine.connect() as conn:
        for name in TABLES:
            table = meta.tables[name]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            seen[name] = [tuple(str(v) for v in row) for row in rows]
    engine.dispose()
    return seen


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "controlroom", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_backup_wipe_restore(tmp_path: Path, engine: str) -> None:
    if engine == "postgresql" and bin_dir() is None:
        pytest.skip("PostgreSQL is not installed (scripts/system-deps.sh test installs it)")
    db_url = (postgres.fresh_postgres_url("bk") if engine == "postgresql"
              else f"sqlite:///{tmp_path}/cr.db")
    secret_file = tmp_path / "broker.secret"
    secret_file.write_text(secrets.token_hex(32))
    secret = secret_file.read_bytes()
    try:
        with _app(db_url) as c:
            _fill(c)
            board = _board(c)
        before = _rows(db_url)
        assert board["board"]["data"] and board["requests"]["data"] and board["items"]["items"]
        assert len(before["alert_history"]) >= 2 and before["audit_log"] and before["users"]

        archive = tmp_path / "backups" / "estate.tar"
        out = _cli("backup", "--to", str(archive), "--db-url", db_url,
                   "--broker-secret-file", str(secret_file))
        assert "database (schema" in out and "and the broker secret" in out

        # Wipe: the database and the secret gone.
        if engine == "sqlite":
            for p in tmp_path.glob("cr.db*"):
                p.unlink()
        else:
            postgres.drop(db_url)
        secret_file.unlink()

        out = _cli("restore", "--from", str(archive), "--db-url", db_url,
                   "--broker-secret-file", str(secret_file))
        assert out.startswith(f"restored the {engine} database")
        assert secret_file.read_bytes() == secret
        assert _rows(db_url) == before
        with _app(db_url) as c:
            assert _board(c) == board
    finally:
        postgres.drop(db_url)


def test_restore_refuses_another_engine_and_another_broker_secret(tmp_path: Path) -> None:
    from controlroom.backup.archive import BackupError, backup_to, restore_from

    db_url = f"sqlite:///{tmp_path}/cr.db"
    with _app(db_url):
        pass  # migrated
    secret = tmp_path / "broker.secret"
    secret.write_text("one")
    archive = tmp_path / "b.tar"
    assert backup_to(archive, db_url, secret).broker_secret
    with pytest.raises(BackupError, match="backup is of a sqlite database"):
        restore_from(archive, "postgresql://nobody@127.0.0.1:1/x", secret)
    secret.write_text("another")
    with pytest.raises(BackupError, match="holds another broker secret"):
        restore_from(archive, db_url, secret)
    assert secret.read_text() == "another"  # nothing changed
    restore_from(archive, db_url, secret, force_secret=True)
    assert secret.read_text() == "one"
    (tmp_path / "not.tar").write_bytes(b"junk")
    with pytest.raises(BackupError, match="not a control-room backup"):
        restore_from(tmp_path / "not.tar", db_url, secret)
