"""Reporting a repair or a complaint: the kind, a category, an optional note. A repair in an
urgent category is sent as an urgent repair."""

from __future__ import annotations

from kiosk.flows.core import Json, KioskCore

__all__ = ["ReportingFlow"]


class ReportingFlow(KioskCore):
    def _reset_resident(self) -> None:
        super()._reset_resident()
        self.report_kind = "repair"
        self.report_category = ""
        self.report_note = ""

    def open_report(self) -> None:
        if not self.online:
            self._refuse_offline()
            return
        if not self._require_login("report"):
            return
        api = self.api
        assert api is not None
        self.report_category = ""
        self.report_note = ""
        self._call(api.categories, self._report_ready)

    def _report_ready(self, categories: Json) -> None:
        self.categories = categories
        self._show("report")

    def report_choose_kind(self, kind: str) -> None:
        self.report_kind = kind
        self.report_category = ""
        self.on_change()

    def report_choose(self, category: str) -> None:
        self.report_category = category
        self.on_change()

    def report_send(self, note: str = "") -> None:
        if not self.report_category or self.api is None:
            return
        urgent = any(c.get("urgent") for c in self.categories.get(self.report_kind, [])
                     if str(c["id"]) == self.report_category)
        kind = "urgent_repair" if self.report_kind == "repair" and urgent else self.report_kind
        body: Json = {"type": kind, "category": self.report_category}
        if note.strip():
            body["description"] = note.strip()[:500]
        api = self.api
        self._call(lambda: api.create_request(body), lambda r: self._created(r, "reported"))
