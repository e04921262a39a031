"""My account: the masked name and balance, my requests (one with its timeline), my fees and
the items held for my flat. Each screen shows what the control room answered."""

from __future__ import annotations

from typing import Any

from kiosk.flows.core import Json, KioskCore

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
        if not self._require_login("account"):
            return
        api = self.api
        assert api is not None
        self._call(api.me, lambda me: self._loaded("me", me, "account"))

    def open_requests(self) -> None:
        if not self._require_login("requests"):
            return
        api = self.api
        assert api is not None
        self._call(api.requests, lambda rs: self._loaded("requests", rs, "requests"))

    def open_request(self, request_id: str) -> None:
        api = self.api
        if api is None or not self.logged_in:
            return
        self._call(lambda: api.request(int(request_id)),
                   lambda r: self._loaded("request", r, "request"))

    def open_fees(self) -> None:
        if not self._require_login("fees"):
            return
        api = self.api
        assert api is not None
        self._call(api.fees, lambda f: self._loaded("fees", f, "fees"))

    def open_items(self) -> None:
        if not self._require_login("items"):
            return
        api = self.api
        assert api is not None
        self._call(api.items, lambda i: self._loaded("items", i, "items"))

    def _loaded(self, attr: str, value: Any, screen: str) -> None:
        setattr(self, attr, value)
        self._show(screen)
