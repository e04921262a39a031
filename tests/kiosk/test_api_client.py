"""The kiosk's control-room client against an in-memory transport."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from kiosk.api_client import ApiClient, ApiError


def test_logs_in_with_the_kiosk_account_then_sends_the_bearer_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/auth/token":
            form = parse_qs(request.content.decode())
            assert form == {"username": ["kiosk-1"], "password": ["s3cret"]}
            return httpx.Response(200, json={"access_token": "tok", "token_type": "bearer"})
        assert request.headers["Authorization"] == "Bearer tok"
        return httpx.Response(200, json={"notices": []})

    with ApiClient("http://cr", "kiosk-1", "s3cret", transport=httpx.MockTransport(handler)) as api:
        assert api.get_json("/api/notices") == {"notices": []}
        assert api.get_json("/api/notices") == {"notices": []}

    assert [r.url.path for r in seen] == ["/api/auth/token", "/api/notices", "/api/notices"]


def test_an_expired_token_is_renewed_once() -> None:
    tokens = iter(["old", "new"])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/auth/token":
            return httpx.Response(200, json={"access_token": next(tokens)})
        if request.headers["Authorization"] == "Bearer old":
            return httpx.Response(401)
        return httpx.Response(200, json={"ok": True})

    api = ApiClient("http://cr", "k", "p", transport=httpx.MockTransport(handler))
    assert api.post_json("/api/requests", {"item": "plumbing"}) == {"ok": True}


def test_refusals_and_outages_are_api_errors() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ApiError) as refused:
        ApiClient("http://cr", "k", "p", transport=httpx.MockTransport(refuse)).login()
    assert refused.value.status == 403

    with pytest.raises(ApiError) as outage:
        ApiClient("http://cr", "k", "p", transport=httpx.MockTransport(down)).login()
    assert outage.value.status is None
