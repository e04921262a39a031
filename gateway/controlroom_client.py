"""The control room, seen from the gateway: log in as the gateway account, post signals and
device health. Errors are named: `Unreachable` (retry later) and `Rejected` (never retry)."""

from __future__ import annotations

import ssl

import httpx


class Unreachable(Exception):
    """The control room did not answer or answered 5xx: keep the message and retry."""


class Rejected(Exception):
    """The control room refused the message as invalid (4xx other than auth): retrying the
    same body cannot succeed, so it is quarantined instead."""


class ControlRoomClient:
    def __init__(self, base_url: str, username: str, password: str,
                 transport: httpx.BaseTransport | None = None, timeout: float = 5.0,
                 verify: ssl.SSLContext | bool = True) -> None:
        # verify: a CA file the control room's certificate is checked against
        # (BUTLER_CA_FILE), or True for the system's CAs.
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport,
                                  verify=verify)
        self._username = username
        self._password = password
        self._token: str | None = None

    def close(self) -> None:
        self._http.close()

    def _login(self) -> None:
        try:
            r = self._http.post("/api/auth/token",
                                data={"username": self._username, "password": self._password})
        except httpx.HTTPError as exc:
            raise Unreachable(f"login: {exc}") from None
        if r.status_code >= 500:
            raise Unreachable(f"login: HTTP {r.status_code}")
        if r.status_code != 200:
            raise Unreachable(f"login refused for {self._username!r}: HTTP {r.status_code}")
        self._token = r.json()["access_token"]

    def _post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        for attempt in range(2):
            if self._token is None:
                self._login()
            try:
                r = self._http.post(path, json=body,
                                    headers={"Authorization": f"Bearer {self._token}"})
            except httpx.HTTPError as exc:
                raise Unreachable(f"{path}: {exc}") from None
            if r.status_code == 401 and attempt == 0:
                self._token = None  # expired: log in again once
                continue
            if r.status_code >= 500 or r.status_code in (401, 403, 429):
                raise Unreachable(f"{path}: HTTP {r.status_code} {r.text[:200]}")
            if r.status_code >= 400:
                raise Rejected(f"{path}: HTTP {r.status_code} {r.text[:300]}")
            return r.json()
        raise Unreachable(f"{path}: not authorised")

    def _get(self, path: str) -> dict[str, object]:
        for attempt in range(2):
            if self._token is None:
                self._login()
            try:
                r = self._http.get(path, headers={"Authorization": f"Bearer {self._token}"})
            except httpx.HTTPError as exc:
                raise Unreachable(f"{path}: {exc}") from None
            if r.status_code == 401 and attempt == 0:
                self._token = None
                continue
            if r.status_code >= 400:
                raise Unreachable(f"{path}: HTTP {r.status_code} {r.text[:200]}")
            return r.json()  # type: ignore[no-any-return]
        raise Unreachable(f"{path}: not authorised")

    def get_commands(self) -> dict[str, object]:
        return self._get("/api/gateway/commands")

    def post_command_sent(self, command_id: str) -> dict[str, object]:
        return self._post(f"/api/gateway/commands/{command_id}/sent", {})

    def post_command_answer(self, command_id: str, body: dict[str, object]
                            ) -> dict[str, object]:
        return self._post(f"/api/gateway/commands/{command_id}/answer", body)

    def post_signal(self, signal: dict[str, object]) -> dict[str, object]:
        return self._post("/api/gateway/signals", signal)

    def post_signals(self, signals: list[dict[str, object]]) -> list[dict[str, object]]:
        """Several signals in one request (most urgent first); a result per signal, in order:
        `status` 200 applied (or a duplicate), otherwise refused with `detail`."""
        results = self._post("/api/gateway/signals/batch", {"signals": signals})["results"]
        return list(results)  # type: ignore[call-overload]

    def post_note(self, note: dict[str, object]) -> dict[str, object]:
        return self._post("/api/gateway/alerts/note", note)

    def post_device_states(self, devices: list[dict[str, object]]) -> dict[str, object]:
        return self._post("/api/gateway/devices", {"devices": devices})

    def post_quarantine(self, entries: list[dict[str, object]]) -> dict[str, object]:
        return self._post("/api/gateway/quarantine", {"entries": entries})
