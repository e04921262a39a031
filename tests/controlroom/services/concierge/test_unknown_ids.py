"""An id the desk sends that names nothing (a stale page, a mistyped number) is a 404 saying
what was not found, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.utils import auth

DESK = ("frontdesk", "frontdesk123")
UNKNOWN = 987654

# (method, path, body, what the desk is told)
CALLS = [
    ("post", f"/api/lost-found/{UNKNOWN}/claim",
     {"claimant": "王芳", "id_number": "110101199001011234"}, f"no found item {UNKNOWN}"),
    ("post", f"/api/wakeups/{UNKNOWN}/attempts", {"answered": False},
     f"no wake-up call {UNKNOWN}"),
    ("post", f"/api/wakeups/{UNKNOWN}/cancel", None, f"no wake-up call {UNKNOWN}"),
    ("post", f"/api/bookings/{UNKNOWN}/cancel", None, f"no booking {UNKNOWN}"),
    ("post", f"/api/visitors/{UNKNOWN}", {"step": "arrive", "id_number": "1234"},
     f"no visitor {UNKNOWN}"),
    ("get", f"/api/residents/{UNKNOWN}", None, f"no resident {UNKNOWN}"),
    ("post", f"/api/lent/{UNKNOWN}/return", {}, f"no lent item {UNKNOWN}"),
    ("get", f"/api/keys/{UNKNOWN}", None, f"no key {UNKNOWN} in custody"),
]


@pytest.mark.parametrize("method,path,body,detail", CALLS, ids=[c[1] for c in CALLS])
def test_an_unknown_id_is_404_naming_what_was_not_found(
        client: TestClient, method: str, path: str, body: dict[str, Any] | None,
        detail: str) -> None:
    r = client.request(method, path, headers=auth(client, *DESK), json=body)
    assert r.status_code == 404, r.text
    assert (r.json()["detail"], r.json()["code"]) == (detail, "not_found")
