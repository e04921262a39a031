"""What the report screen shows, and what a help request's answer says: frozen values built
from the control room's answers, as in kiosk.views (no Kivy; wording from kiosk.wording)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.catalogue import pick
from kiosk.formats import format_time
from kiosk.views import Choice, MessageView
from kiosk.wording import Lang, say

__all__ = ["ReportView", "help_sent_view", "report_view"]

Json = dict[str, Any]

# The kinds with their wording key; the prompt and the note's label per kind.
_KIND_WORDS = {"repair": "report_repair", "complaint": "report_complaint",
               "help": "report_help", "enquiry": "report_enquiry",
               "suggestion": "report_suggestion"}
_PROMPTS = {"help": "help_prompt", "enquiry": "enquiry_prompt",
            "suggestion": "suggestion_prompt"}
_NOTE_LABELS = {"enquiry": "enquiry_text", "suggestion": "suggestion_text"}


@dataclass(frozen=True)
class ReportView:
    kinds: tuple[Choice, ...]
    prompt: str
    categories: tuple[Choice, ...]  # empty for a kind with none (help, enquiry, suggestion)
    note_label: str
    send: str
    can_send: bool


def report_view(categories: Json, kind: str, selected: str, lang: Lang,
                can_send: bool) -> ReportView:
    """`can_send` is the reporting flow's rule (kiosk.flows.reporting.can_send)."""
    choices = tuple(
        Choice(str(c["id"]),
               pick(lang, c.get("name_zh", ""), c.get("name_en", ""))
               + (f" · {say('urgent', lang)}" if c.get("urgent") else ""),
               str(c["id"]) == selected)
        for c in categories.get(kind, [])
    ) if kind in ("repair", "complaint") else ()
    return ReportView(
        kinds=tuple(Choice(k, say(w, lang), k == kind) for k, w in _KIND_WORDS.items()),
        prompt=say(_PROMPTS.get(kind, "choose_category"), lang),
        categories=choices,
        note_label=say(_NOTE_LABELS.get(kind, "optional_text"), lang),
        send=say("send", lang),
        can_send=can_send,
    )


def help_sent_view(request: Json, tz: ZoneInfo, hotline: str, lang: Lang) -> MessageView:
    """After a help request: its number, the next step and the time promised (both as the
    control room answered them), and what to do if it cannot wait."""
    next_step = pick(lang, request.get("next_step_zh", ""), request.get("next_step_en", ""))
    # The next step as the control room words it, without a "Next:" before it: the
    # sentence then fits one portrait line (Kivy would wrap its last "。" onto a line alone).
    lines = [
        next_step,
        say("promised_by", lang, at=format_time(request.get("promised_by"), tz, lang))
        if request.get("promised_by") else "",
        say("help_emergency", lang, hotline=hotline),
    ]
    return MessageView(
        title=say("help_sent", lang),
        number_label=say("your_number", lang),
        number=str(request.get("number", "")),
        body="\n".join(line for line in lines if line),
        ok=True,
        button=say("done_home", lang),
    )
