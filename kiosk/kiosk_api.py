"""The control room's kiosk API (docs/api/kiosk.md) as plain method calls.

One object per kiosk: the device bearer lives in `ApiClient`, the resident's session token
here (`session`), sent as `X-Resident-Session` on the resident calls. Answers are the JSON
of the contract, as dicts; `kiosk.views` turns them into what the screens show. Every call
blocks: the app runs them on `kiosk.tasks.TaskRunner`, never on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.api_client import ApiClient, ApiError

__all__ = ["KioskApi", "ResidentSession"]

Json = dict[str, Any]


@dataclass(frozen=True)
class ResidentSession:
    token: str
    unit: str
    name_masked: str
    method: str = ""  # how it was opened: pin, otp or card (only card may collect items)


class KioskApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.session: ResidentSession | None = None

    def close(self) -> None:
        self.client.close()

    def healthy(self, timeout: float = 1.5) -> bool:
        return self.client.health(timeout)

    # -- public (kiosk bearer only) -----------------------------------------------------------

    def config(self) -> Json:
        """The kiosk's configuration: menus, promises, names (kiosk.remote_config)."""
        return dict(self.client.get_json("/api/kiosk/config"))

    def info(self) -> Json:
        return dict(self.client.get_json("/api/kiosk/info"))

    def categories(self) -> Json:
        return dict(self.client.get_json("/api/kiosk/categories"))

    def vocabulary(self) -> Json:
        """The labels of request states and types (kiosk.vocabulary)."""
        return dict(self.client.get_json("/api/requests/vocabulary"))

    def notices(self) -> list[Json]:
        return list(self.client.get_json("/api/kiosk/notices")["notices"])

    # -- identification -----------------------------------------------------------------------

    def login_pin(self, unit: str, pin: str) -> ResidentSession:
        return self._login({"method": "pin", "unit": unit, "pin": pin})

    def request_code(self, unit: str) -> None:
        """Ask for a one-time code by SMS to the flat's registered phone (the answer is the
        same whether or not the flat has one: it does not tell which flats exist)."""
        self.client.post_json("/api/kiosk/session", {"method": "otp_request", "unit": unit})

    def login_code(self, unit: str, code: str) -> ResidentSession:
        return self._login({"method": "otp", "unit": unit, "code": code})

    def login_card(self, card: str) -> ResidentSession:
        return self._login({"method": "card", "card": card})

    def logout(self) -> None:
        """End the resident's session at the control room; the kiosk forgets it either way."""
        session, self.session = self.session, None
        if session is None:
            return
        try:
            self.client.delete("/api/kiosk/session", session=session.token)
        except ApiError as exc:
            # Already ended (expired) is what we wanted; an outage leaves it to expire by
            # itself after the control room's 120 s.
            if exc.status not in (401, None):
                raise

    def _login(self, body: Json) -> ResidentSession:
        answer = self.client.post_json("/api/kiosk/session", body)
        self.session = ResidentSession(
            token=str(answer["session"]),
            unit=str(answer["unit"]),
            name_masked=str(answer.get("name_masked", "")),
            method=str(body["method"]),
        )
        return self.session

    # -- resident calls ------------------------------------------------------------------------

    def me(self) -> Json:
        return dict(self.client.get_json("/api/kiosk/me", session=self._token()))

    def requests(self) -> list[Json]:
        answer = self.client.get_json("/api/kiosk/requests", session=self._token())
        return list(answer["requests"])

    def request(self, request_id: int) -> Json:
        return dict(self.client.get_json(f"/api/kiosk/requests/{request_id}",
                                         session=self._token()))

    def create_request(self, body: Json) -> Json:
        return dict(self.client.post_json("/api/kiosk/requests", body, session=self._token()))

    def fees(self) -> Json:
        return dict(self.client.get_json("/api/kiosk/fees", session=self._token()))

    def items(self) -> list[Json]:
        return list(self.client.get_json("/api/kiosk/items", session=self._token())["items"])

    def announce_visitor(self, body: Json) -> Json:
        """A visitor to the resident's flat, `{name, expected_at, purpose}`: the desk sees them."""
        return dict(self.client.post_json("/api/kiosk/visitors", body, session=self._token()))

    def visitors(self) -> list[Json]:
        """The flat's visitors still expected, soonest first."""
        return list(self.client.get_json("/api/kiosk/visitors", session=self._token())["data"])

    # -- pickup (the code is the credential) --------------------------------------------------

    def pickup_lookup(self, code: str) -> Json:
        return dict(self.client.post_json("/api/kiosk/pickup/lookup", {"code": code})["item"])

    def pickup_confirm(self, code: str, pieces: int) -> Json:
        return dict(self.client.post_json("/api/kiosk/pickup/confirm",
                                          {"code": code, "pieces": pieces}))

    def collect(self, item_id: int, pieces: int) -> Json:
        """Collect one of the flat's items without its code: card sessions only."""
        return dict(self.client.post_json(f"/api/kiosk/items/{item_id}/collect",
                                          {"pieces": pieces}, session=self._token()))

    def _token(self) -> str:
        if self.session is None:
            raise ApiError("no resident is logged in", 401, "session_expired")
        return self.session.token
