"""What the desk and the butler do in the control room while a kiosk test runs: check in a
parcel (its pickup code is known only to the desk and the resident), and move a resident's
request along (assigned, work started), through the control room's staff API."""

from __future__ import annotations

import httpx

from tests.utils import token

__all__ = ["DeskAndButler"]


class DeskAndButler:
    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def _token(self, username: str, password: str) -> str:
        return token(self.api_url, username, password)

    def _call(self, method: str, path: str, token: str, body: object = None) -> dict:
        r = httpx.request(method, f"{self.api_url}{path}", json=body, timeout=20,
                          headers={"Authorization": f"Bearer {token}"})
        assert r.status_code < 400, f"{method} {path}: {r.status_code} {r.text}"
        return dict(r.json())

    def check_in_parcel(self, unit: str, location: str = "A-03", kind: str = "parcel") -> str:
        """The pickup code of a new item held for `unit` (printed on the claim stub)."""
        token = self._token("frontdesk", "frontdesk123")
        done = self._call("POST", "/api/items", token,
                          {"unit": unit, "kind": kind, "pieces": 1, "location": location,
                           "carrier": "SF"})
        return str(done["code"])

    def work_on_latest_repair(self, unit: str) -> int:
        """The butler assigns the flat's newest repair to a technician, who starts work."""
        token = self._token("butler1", "butler1123")
        rows = self._call("GET", f"/api/requests?unit={unit}", token)
        data = rows.get("data") or rows.get("requests") or []
        repair = next(r for r in data if r["type"] in ("repair", "urgent_repair"))
        rid = int(repair["id"])
        self._call("POST", f"/api/requests/{rid}/assign", token,
                   {"assignee": "maintenance", "department": "engineering"})
        self._call("POST", f"/api/requests/{rid}/start", token, {"note": ""})
        return rid

    def raise_gas_alarm(self, unit: str) -> None:
        """A priority-1 gas alarm from the flat's detector, as the gateway reports it: the
        building's kiosks show an alert banner while it is open."""
        from datetime import UTC, datetime

        token = self._token("gateway", "gateway123")
        self._call("POST", "/api/gateway/signals", token,
                   {"key": f"kiosk-demo-{unit}", "device": f"gas-{unit}", "kind": "gas_alarm",
                    "priority": 1, "condition": "active",
                    "observed_at": datetime.now(UTC).isoformat()})
