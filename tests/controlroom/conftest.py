from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from config import Settings, load_site
from controlroom.app import create_app
from controlroom.security import Passwords


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    site = load_site()
    settings = Settings(f"sqlite:///{tmp_path}/cr.db", site.mqtt_url, "http://testserver")
    # Cheap argon2 parameters: the tests are about the API, not about hashing cost.
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with TestClient(create_app(site, settings, passwords)) as c:
        yield c


def auth(client: TestClient, username: str, password: str) -> dict[str, str]:
    r = client.post("/api/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def signal(device: str = "gas-1-2-1502", kind: str = "gas_alarm", priority: int = 1,
           condition: str = "active", key: str | None = None) -> dict[str, object]:
    return {"key": key or f"{device}:1:1/{kind}", "device": device, "kind": kind,
            "priority": priority, "condition": condition,
            "observed_at": datetime.now(UTC).isoformat(), "detail": {"lel": 27.5}}
