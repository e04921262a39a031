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

    def schedule_notice(self, title_zh: str, title_en: str, body_zh: str, starts_at: str,
                        expires_at: str) -> dict:
        """A site-wide notice the desk writes now for a later time (ISO times with zone)."""
        return self._call("POST", "/api/notices", self._token("frontdesk", "frontdesk123"),
                          {"kind": "water", "title_zh": title_zh, "title_en": title_en,
                           "body_zh": body_zh, "body_en": "", "starts_at": starts_at,
                           "expires_at": expires_at})

    def raise_gas_alarm(self, unit: str) -> None:
        """A priority-1 gas alarm from the flat's detector, as the gateway reports it: the
        building's kiosks show an alert banner while it is open."""
        from datetime import UTC, datetime

        token = self._token("gateway", "gateway123")
        self._call("POST", "/api/gateway/signals", token,
                   {"key": f"kiosk-demo-{unit}", "device": f"gas-{unit}", "kind": "gas_alarm",
                    "priority": 1, "condition": "active",
                    "observed_at": datetime.now(UTC).isoformat()})

    def vocabulary(self) -> dict:
        """The request vocabulary as the kiosk device reads it (GET /api/requests/vocabulary)."""
        return self._call("GET", "/api/requests/vocabulary", self._token("kiosk-1",
                                                                         "kiosk1-secret"))

    def order_at_kiosk(self, unit: str, pin: str, body: dict) -> dict:
        """A request the resident placed at kiosk-1 (logged in by flat and PIN)."""
        token = self._token("kiosk-1", "kiosk1-secret")
        headers = {"Authorization": f"Bearer {token}"}
        r = httpx.post(f"{self.api_url}/api/kiosk/session", headers=headers, timeout=20,
                       json={"method": "pin", "unit": unit, "pin": pin})
        assert r.status_code == 201, r.text
        r = httpx.post(f"{self.api_url}/api/kiosk/requests", json=body, timeout=20,
                       headers={**headers, "X-Resident-Session": r.json()["session"]})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def through_return_visit(self, rid: int, *, close: bool = False) -> str:
        """The butler takes a request through to the return visit (and closes it); its state."""
        token = self._token("butler1", "butler1123")
        steps: list[tuple[str, dict]] = [
            ("assign", {"assignee": "maintenance"}), ("start", {}), ("complete", {}),
            ("accept", {}), ("return-visit", {"attitude": 5, "quality": 4, "punctuality": 5})]
        if close:
            steps.append(("close", {}))
        req: dict = {}
        for path, body in steps:
            req = self._call("POST", f"/api/requests/{rid}/{path}", token, body)
        return str(req["state"])
