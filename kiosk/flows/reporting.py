"""Reporting at the kiosk: every request type a resident sends by themselves (DOMAIN.md
"Service requests"; a service order is placed from the menus, kiosk.flows.ordering).

Rules kept here (pure functions of values, then the flow):
- a repair or a complaint needs a category; a repair in an urgent category is sent as an
  urgent repair;
- a help request can be sent at once, its note optional: it is for an elderly or unwell
  resident, who must not be held up by a form; the answer says what happens next;
- an enquiry or a suggestion is its text: nothing is sent until there is some.
"""

from __future__ import annotations

from kiosk.flows.core import Json, KioskCore
from kiosk.report_views import help_sent_view

__all__ = ["CATEGORY_KINDS", "REPORT_KINDS", "TEXT_KINDS", "ReportingFlow", "can_send",
           "request_body"]

# The kinds on the report screen, in the order shown.
REPORT_KINDS = ("repair", "complaint", "help", "enquiry", "suggestion")
CATEGORY_KINDS = frozenset({"repair", "complaint"})
TEXT_KINDS = frozenset({"enquiry", "suggestion"})
MAX_NOTE = 500  # the API's limit on a request's description


def can_send(kind: str, category: str, note: str) -> bool:
    """Whether the send button works for what is chosen and typed so far."""
    if kind in CATEGORY_KINDS:
        return bool(category)
    if kind in TEXT_KINDS:
        return bool(note.strip())
    return kind == "help"


def request_body(kind: str, category: str, note: str, categories: Json) -> Json:
    """The body of POST /api/kiosk/requests for a report that `can_send`."""
    text = note.strip()[:MAX_NOTE]
    body: Json = {"type": kind}
    if kind in CATEGORY_KINDS:
        urgent = any(c.get("urgent") for c in categories.get(kind, [])
                     if str(c["id"]) == category)
        body["type"] = "urgent_repair" if kind == "repair" and urgent else kind
        body["category"] = category
    if text:
        body["description"] = text
    return body


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
        assert kind in REPORT_KINDS, kind
        self.report_kind = kind
        self.report_category = ""
        self.on_change()

    def report_choose(self, category: str) -> None:
        self.report_category = category
        self.on_change()

    def report_text(self, note: str) -> None:
        """The note as typed (each key): an enquiry or a suggestion can be sent once it has
        text. Redrawn only on the report screen (the field is cleared as the screen goes).
        Typing is the resident still there: it holds off the idle timeout as a touch does."""
        self.report_note = note
        self.touched()
        if self.screen == "report":
            self.on_change()

    @property
    def report_can_send(self) -> bool:
        return can_send(self.report_kind, self.report_category, self.report_note)

    def report_send(self, note: str | None = None) -> None:
        if note is not None:
            self.report_note = note
        if not self.report_can_send or self.api is None:
            return
        kind = self.report_kind
        body = request_body(kind, self.report_category, self.report_note, self.categories)
        api = self.api
        if kind == "help":
            self._call(lambda: api.create_request(body), self._help_sent)
        else:
            self._call(lambda: api.create_request(body), lambda r: self._created(r, "reported"))

    def _help_sent(self, request: Json) -> None:
        """The number, what happens next and by when (the API's words and time), and what to
        do if it cannot wait."""
        tz = self.tz
        self._message_screen(lambda lang: help_sent_view(request, tz, self.hotline, lang))
