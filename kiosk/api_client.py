"""The kiosk's only way to the control room: the resident API over HTTP (ARCHITECTURE §7).

The kiosk logs in with its own device account (role `kiosk`, from the site file's `[[kiosks]]`)
by the OAuth2 password flow and sends the bearer token with every call. Tests pass an
`httpx.MockTransport` as `transport`.
"""

from __future__ import annotations

import ssl
from types import TracebackType
from typing import Any

import httpx

__all__ = ["RESIDENT_HEADER", "ApiClient", "ApiError"]

RESIDENT_HEADER = "X-Resident-Session"


class ApiError(Exception):
    """The control room could not be reached or refused the call; `status` is None when
    there was no HTTP answer at all. `code` and `body` come from the control room's one error
    shape (`{"detail", "code", ...extra}`, docs/api/kiosk.md), e.g. `attempts_left`."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.body: dict[str, Any] = body or {}

    @property
    def offline(self) -> bool:
        """No answer at all (connection refused, timeout), or the control room's proxy failed."""
        return self.status is None or self.status in (502, 503, 504)


class ApiClient:
    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 5.0,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._username = username
        self._password = password
        self._token: str | None = None
        self._settings = (base_url, transport, timeout, verify)
        # verify: the CA file the control room's certificate is checked against
        # (BUTLER_CA_FILE), or True for the system's CAs.
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=timeout,
                                  verify=verify)

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

    def another(self) -> ApiClient:
        """A client of its own (its own connection and token) for the same account: for a
        thread that must not share this one's (the kiosk's heartbeat)."""
        base_url, transport, timeout, verify = self._settings
        return ApiClient(base_url, self._username, self._password, transport=transport,
                         timeout=timeout, verify=verify)

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

    def get_json(
        self, path: str, params: dict[str, str] | None = None, *, session: str | None = None
    ) -> Any:
        return self._authorized("GET", path, session, params=params).json()

    def post_json(self, path: str, body: dict[str, Any], *, session: str | None = None) -> Any:
        return self._authorized("POST", path, session, json=body).json()

    def delete(self, path: str, *, session: str | None = None) -> None:
        self._authorized("DELETE", path, session)

    def health(self, timeout: float) -> bool:
        """Whether the control room answers `/api/health` within `timeout` seconds (no login)."""
        try:
            response = self._http.get("/api/health", timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _authorized(
        self, method: str, path: str, session: str | None, **kwargs: Any
    ) -> httpx.Response:
        if self._token is None:
            self.login()
        try:
            return self._send(method, path, auth=True, session=session, **kwargs)
        except ApiError as exc:
            # A resident session's 401 (`session_expired`) is the resident's, not the token's.
            if exc.status != 401 or exc.code is not None:
                raise
        # The token expired (the control room's token_minutes): log in again, once.
        self.login()
        return self._send(method, path, auth=True, session=session, **kwargs)

    def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = False,
        session: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"} if auth else {}
        if session is not None:
            headers[RESIDENT_HEADER] = session
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(f"{method} {path}: {exc}") from exc
        if response.status_code >= 400:
            body = _error_body(response)
            code = body.get("code")
            raise ApiError(
                f"{method} {path}: HTTP {response.status_code}: {body.get('detail', '')}",
                response.status_code,
                code if isinstance(code, str) else None,
                body,
            )
        return response


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
