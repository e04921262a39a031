"""Packaging (issue 13, acceptance 6): the deployable sets are extras — `server` (the control
room on SQLite or PostgreSQL, the gateway, the embedded broker, the simulator) and `kiosk` —
and neither pulls the other's stack; each has a lock file; the console scripts run from a
fresh virtual environment. Needs the package index (pip resolves the sets)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import venv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import postgres
from tests.support.production import free_port
from tests.utils import wait_until

ROOT = Path(__file__).resolve().parents[1]
SERVER_STACK = {"fastapi", "uvicorn", "starlette", "sqlalchemy", "alembic", "argon2-cffi",
                "psycopg", "psycopg-binary", "amqtt", "paho-mqtt", "nats-py",
                "python-multipart"}
GUI_STACK = {"kivy", "kivy-garden"}

pytestmark = pytest.mark.packaging


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _resolve(extra: str, tmp: Path) -> dict[str, str]:
    """name -> version pip would install for `.[extra]` into an empty environment."""
    report = tmp / f"{extra}.json"
    subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                    "--quiet", "--report", str(report), f".[{extra}]"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    data = json.loads(report.read_text())
    return {_norm(i["metadata"]["name"]): i["metadata"]["version"] for i in data["install"]}


def _lock(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / f"{name}.lock").read_text()
    return {_norm(m[0]): m[1] for m in re.findall(r"^([A-Za-z0-9_.-]+)(?:\[.*\])?==(\S+)",
                                                   text, re.M)}


def test_neither_set_pulls_the_others_stack(tmp_path: Path) -> None:
    server, kiosk = _resolve("server", tmp_path), _resolve("kiosk", tmp_path)
    assert set(server) >= SERVER_STACK, SERVER_STACK - set(server)
    assert not GUI_STACK & set(server), "the server set pulls Kivy"
    assert set(kiosk) >= GUI_STACK
    assert not SERVER_STACK & set(kiosk), SERVER_STACK & set(kiosk)
    assert server["amqtt"] == "0.12.1"


def test_each_set_has_a_lock_file_true_to_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for name, avoid in (("server", GUI_STACK), ("kiosk", SERVER_STACK)):
        lock = _lock(name)
        wanted = [*project["dependencies"], *extras[name]]
        for req in wanted:
            assert _norm(re.split(r"[\[<>=!~ ;]", req, maxsplit=1)[0]) in lock, (name, req)
        assert not avoid & set(lock), (name, avoid & set(lock))
        assert all(v for v in lock.values())
    assert _lock("server")["amqtt"] == "0.12.1"


@pytest.fixture(scope="module")
def envs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Fresh virtual environments with `pip install '.[server]'` and `'.[kiosk]'` (not
    editable: what an installer gets)."""
    out = {}
    for extra in ("server", "kiosk"):
        d = tmp_path_factory.mktemp(f"venv-{extra}")
        venv.create(d, with_pip=True)
        subprocess.run([str(d / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        f"{ROOT}[{extra}]"], check=True, capture_output=True, timeout=900)
        out[extra] = d
    yield out


def _imports(env: Path, module: str) -> bool:
    return subprocess.run([str(env / "bin" / "python"), "-c", f"import {module}"],
                          cwd=env, capture_output=True, timeout=120).returncode == 0


def _start(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


def test_the_server_set_runs_the_control_room_on_postgresql_and_the_gateway(
        envs: dict[str, Path], tmp_path: Path) -> None:
    env_dir = envs["server"]
    assert not _imports(env_dir, "kivy")
    bin_ = env_dir / "bin"
    api, mqtt, metrics = free_port(), free_port(), free_port()
    db_url = postgres.empty_postgres_url("pkg")  # no tables: the installed one migrates it
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("BUTLER_")} | {
        "BUTLER_DB_URL": db_url, "BUTLER_API_URL": f"http://127.0.0.1:{api}",
        "BUTLER_MQTT_URL": f"mqtt://127.0.0.1:{mqtt}", "BUTLER_PASSWORD_HASH_COST": "low"}
    procs = [
        _start([str(bin_ / "estate-controlroom"), "--demo"], run_env, tmp_path,
               tmp_path / "controlroom.log"),
        _start([str(bin_ / "python"), "-m", "gateway.embedded_broker", "--port", str(mqtt)],
               run_env, tmp_path, tmp_path / "broker.log"),
    ]
    try:
        def up(url: str) -> bool:
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until("the installed control room on PostgreSQL",
                   lambda: up(f"http://127.0.0.1:{api}/api/health"), 120)
        procs.append(_start([str(bin_ / "estate-gateway"), "--state-dir", str(tmp_path),
                             "--metrics-port", str(metrics)], run_env, tmp_path,
                            tmp_path / "gateway.log"))
        wait_until("the installed gateway, connected",
                   lambda: up(f"http://127.0.0.1:{metrics}/health"), 120)
        assert db_url.startswith("postgresql")
        gw = (tmp_path / "gateway.log").read_text(errors="replace")
        assert f"control room http://127.0.0.1:{api}" in gw, gw[-3000:]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def test_the_kiosk_set_runs_the_kiosk(envs: dict[str, Path]) -> None:
    env_dir = envs["kiosk"]
    for module in ("fastapi", "sqlalchemy", "uvicorn", "argon2", "psycopg", "amqtt"):
        assert not _imports(env_dir, module), module
    assert _imports(env_dir, "kivy") and _imports(env_dir, "kiosk.remote_config")
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("BUTLER_")
               and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    kiosk = str(env_dir / "bin" / "estate-kiosk")
    r = subprocess.run([kiosk, "--help"], cwd=env_dir, env=run_env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "--api" in r.stdout, r.stderr
    r = subprocess.run([kiosk, "--api", "https://127.0.0.1:1", "--kiosk", "kiosk-1"],
                       cwd=env_dir, env=run_env | {"BUTLER_KIOSK_SECRET": "s3cret-s3cret"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "display" in r.stderr.lower(), r.stderr  # up to the window
