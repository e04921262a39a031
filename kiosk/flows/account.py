"""My account: the masked name and balance, my requests (one with its timeline), my fees and
the items held for my flat. Each screen shows what the control room answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.flows.core import Json, KioskCore
from kiosk.kiosk_api import KioskApi

__all__ = ["AccountFlow"]


class AccountFlow(KioskCore):
    def _reset_resident(self) -> None:
        super()._reset_resident()
        self.me: Json = {}
        self.requests: list[Json] = []
        self.request: Json = {}
        self.fees: Json = {}
        self.items: list[Json] = []

    def open_account(self) -> None:
        self._open_mine("account", "me", lambda api: api.me)

    def open_requests(self) -> None:
        self._open_mine("requests", "requests", lambda api: api.requests)

    def open_request(self, request_id: str) -> None:
        api = self.api
        if api is None or not self.logged_in:
            return
        self._call(lambda: api.request(int(request_id)),
                   lambda r: self._loaded("request", r, "request"))

    def open_fees(self) -> None:
        self._open_mine("fees", "fees", lambda api: api.fees)

    def open_items(self) -> None:
        self._open_mine("items", "items", lambda api: api.items)

    def _open_mine(self, screen: str, attr: str,
                   fetch: Callable[[KioskApi], Callable[[], Any]]) -> None:
        """Log in first if need be; then keep what the API answers in `attr` and show it."""
        if not self._require_login(screen):
            return
        api = self.api
        assert api is not None
        self._call(fetch(api), lambda value: self._loaded(attr, value, screen))

    def _loaded(self, attr: str, value: Any, screen: str) -> None:
        setattr(self, attr, value)
        self._show(screen)
