"""The kiosk's only way to the control room: the resident API over HTTP (ARCHITECTURE §7).

The kiosk logs in with its own device account (role `kiosk`, from the site file's `[[kiosks]]`)
by the OAuth2 password flow and sends the bearer token with every call. Tests pass an
`httpx.MockTransport` as `transport`.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

__all__ = ["ApiClient", "ApiError"]


class ApiError(Exception):
    """The control room could not be reached or refused the call; `status` is None when
    there was no HTTP answer at all."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ApiClient:
    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 5.0,
    ) -> None:
        self._username = username
        self._password = password
        self._token: str | None = None
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=timeout)

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def login(self) -> str:
        response = self._send(
            "POST",
            "/api/auth/token",
            data={"username": self._username, "password": self._password},
        )
        token = response.json().get("access_token")
        if not isinstance(token, str) or not token:
            raise ApiError("login answer has no access_token", response.status_code)
        self._token = token
        return token

    def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self._authorized("GET", path, params=params).json()

    def post_json(self, path: str, body: dict[str, Any]) -> Any:
        return self._authorized("POST", path, json=body).json()

    def _authorized(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._token is None:
            self.login()
        try:
            return self._send(method, path, auth=True, **kwargs)
        except ApiError as exc:
            if exc.status != 401:
                raise
        # The token expired (the control room's token_minutes): log in again, once.
        self.login()
        return self._send(method, path, auth=True, **kwargs)

    def _send(self, method: str, path: str, *, auth: bool = False, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"} if auth else {}
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(f"{method} {path}: {exc}") from exc
        if response.status_code >= 400:
            raise ApiError(f"{method} {path}: HTTP {response.status_code}", response.status_code)
        return response
