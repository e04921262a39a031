"""One backup is one tar file: `manifest.json` (what, when, which engine and schema revision),
the database (`database.sqlite3` or `database.pgdump`, pg_dump's custom format) and, when the
site has one, `broker.secret` (the secret every broker password derives from: without it every
device would have to be provisioned again).

The work is done by `backup_to` and `restore_from`; they take the database URL and the secret's
file, and run the engine's own tools (sqlite3's backup API, pg_dump, pg_restore)."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

FORMAT = 1
MANIFEST = "manifest.json"
SECRET = "broker.secret"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why in one line."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    revision: str | None
    broker_secret: bool

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "engine": self.engine, "created_at":
                           self.created_at, "revision": self.revision,
                           "broker_secret": self.broker_secret}, indent=2).encode()


def engine_of(db_url: str) -> str:
    scheme = urlsplit(db_url).scheme.split("+", 1)[0]
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    raise BackupError(f"cannot back up a {scheme!r} database (SQLite or PostgreSQL only)")


def sqlite_path(db_url: str) -> Path:
    path = db_url.split(":///", 1)[1] if ":///" in db_url else ""
    if not path or path.startswith(":memory:"):
        raise BackupError(f"{db_url}: an in-memory database has nothing to back up")
    return Path(path)


def libpq_url(db_url: str) -> str:
    """The URL pg_dump and pg_restore understand (no SQLAlchemy driver suffix)."""
    parts = urlsplit(db_url)
    return urlunsplit(("postgresql", *parts[1:]))


def _tool(name: str) -> str:
    from launcher.postgres import bin_dir

    bins = bin_dir()
    # The server's own version of the tool first: pg_dump refuses a newer server.
    for candidate in ([str(bins / name)] if bins else []) + [shutil.which(name) or ""]:
        if candidate and Path(candidate).exists():
            return candidate
    raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip() or done.stdout}")


def _revision(db_url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from controlroom.core.db import make_engine

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:
        raise BackupError(f"the database does not answer: {type(exc).__name__}: {exc}") from None
    finally:
        engine.dispose()


def _dump(db_url: str, engine: str, into: Path) -> None:
    if engine == "sqlite":
        src_path = sqlite_path(db_url)
        if not src_path.exists():
            raise BackupError(f"{src_path}: no such database file")
        # The online backup API: a consistent copy while the control room keeps writing.
        src, dst = sqlite3.connect(src_path), sqlite3.connect(into)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={into}", f"--dbname={libpq_url(db_url)}"])


def backup_to(target: Path, db_url: str, secret_file: Path | None,
              now: datetime | None = None) -> Manifest:
    """Write the archive to `target` (through a temporary file: a crash leaves no half
    archive under the name). `secret_file`: the broker secret's file, if the site has one."""
    engine = engine_of(db_url)
    revision = _revision(db_url)
    secret = secret_file.read_bytes() if secret_file and secret_file.exists() else None
    manifest = Manifest(engine, (now or datetime.now(UTC)).isoformat(), revision,
                        secret is not None)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        dump = Path(tmp) / DUMPS[engine]
        _dump(db_url, engine, dump)
        partial = Path(tmp) / "backup.tar"
        with tarfile.open(partial, "w") as tar:
            _add(tar, MANIFEST, manifest.to_json())
            tar.add(dump, DUMPS[engine])
            if secret is not None:
                _add(tar, SECRET, secret, mode=0o600)
        os.chmod(partial, 0o600)  # it holds password hashes and the broker secret
        os.replace(partial, target)
    return manifest


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    tar.addfile(info, io.BytesIO(data))


def read_manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        raw = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    except (KeyError, AttributeError, ValueError):
        raise BackupError("not a control-room backup (no manifest.json)") from None
    if raw.get("format") != FORMAT or raw.get("engine") not in DUMPS:
        raise BackupError(f"unknown backup format {raw.get('format')!r}")
    return Manifest(raw["engine"], raw["created_at"], raw.get("revision"),
                    bool(raw.get("broker_secret")))


def restore_from(source: Path, db_url: str, secret_file: Path | None,
                 force_secret: bool = False) -> Manifest:
    """Put the archive's database in place of `db_url`'s (which the control room must not be
    using: stop it first) and its broker secret at `secret_file`."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup")
    engine = engine_of(db_url)
    try:
        tarfile.open(source, "r").close()
    except tarfile.TarError:
        raise BackupError(f"{source}: not a control-room backup (not a tar file)") from None
    with tarfile.open(source, "r") as tar, tempfile.TemporaryDirectory() as tmp:
        manifest = read_manifest(tar)
        if manifest.engine != engine:
            raise BackupError(f"the backup is of a {manifest.engine} database, the target "
                              f"is {engine}")
        secret = tar.extractfile(SECRET).read() if manifest.broker_secret else None  # type: ignore[union-attr]
        if secret is not None and secret_file is not None:
            _check_secret(secret_file, secret, force_secret)
        tar.extract(DUMPS[engine], tmp, filter="data")
        dump = Path(tmp) / DUMPS[engine]
        if engine == "sqlite":
            _restore_sqlite(dump, sqlite_path(db_url))
        else:
            _restore_postgres(dump, db_url)
    if secret is not None and secret_file is not None:
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        secret_file.write_bytes(secret)
        os.chmod(secret_file, 0o600)
    return manifest


def _check_secret(path: Path, secret: bytes, force: bool) -> None:
    if path.exists() and path.read_bytes() != secret and not force:
        raise BackupError(f"{path} holds another broker secret; restoring would change every "
                          "broker password (--force-secret to do it anyway)")


def _restore_sqlite(dump: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(dump), sqlite3.connect(target)
    try:
        src.backup(dst)  # replaces every page of the target, WAL included
    finally:
        dst.close()
        src.close()


def _restore_postgres(dump: Path, db_url: str) -> None:
    import psycopg

    url = libpq_url(db_url)
    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:  # a wiped server: make it again
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--exit-on-error", "--single-transaction", f"--dbname={url}", str(dump)])
