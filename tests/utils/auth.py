"""The one way a test signs in: the password grant on `/api/auth/token`."""

from __future__ import annotations

from typing import Any

import httpx


def token(http: Any, username: str, password: str, timeout: float = 20.0) -> str:
    """An access token for `username`. `http` is a base URL (a running control room) or a
    client with the app's base URL (a `TestClient`, an `httpx.Client`)."""
    data = {"username": username, "password": password}
    if isinstance(http, str):
        r = httpx.post(f"{http}/api/auth/token", data=data, timeout=timeout)
    else:
        r = http.post("/api/auth/token", data=data)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def auth(http: Any, username: str, password: str, timeout: float = 20.0) -> dict[str, str]:
    """The Authorization header for `username` (see `token`)."""
    return {"Authorization": f"Bearer {token(http, username, password, timeout)}"}
