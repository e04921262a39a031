"""Telling people (ARCHITECTURE §10): staff by role, residents by text message, behind two
one-method seams. The control room's implementation of both is the durable outbox
(controlroom/core/outbox.py): a call records the message in the caller's transaction (pass
`session`), and the outbox job sends it after commit. Tests pass recorders."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

log = logging.getLogger("controlroom.core.notify")


class Notifier(Protocol):
    def notify(self, role: str, subject: str, body: str, *, kind: str = "staff",
               about: str = "", urgent: bool = False, session: Session | None = None
               ) -> None: ...


class LogNotifier:
    """Logs the subject at WARNING: for a service built without the outbox (a script, a
    unit test), so an escalation is never silent."""

    def notify(self, role: str, subject: str, body: str, *, kind: str = "staff",
               about: str = "", urgent: bool = False, session: Session | None = None) -> None:
        log.warning("notify %s: %s", role, subject)


def notify_safely(notifier: Notifier, role: str, subject: str, body: str, about: str,
                  **kw: object) -> None:
    """Notify, and log (never raise) when recording fails: what it reports on (an escalated
    alert, an overdue request) is already recorded and on every console whatever it does."""
    try:
        notifier.notify(role, subject, body, about=about, **kw)  # type: ignore[arg-type]
    except Exception:
        log.exception("could not notify %s of %s", role, about)


@dataclass(frozen=True)
class ResidentMessage:
    """One text message to one resident's phone, in both languages; the resident's language
    picks which is sent. `secret` (a pickup or login code in the text) is masked wherever the
    message is shown or logged; `asked` (a login code the resident is waiting for at the
    kiosk) and `urgent` (about an alarm) are never held by quiet hours or the rate limit."""

    unit: str
    phone: str
    language: str
    zh: str
    en: str
    kind: str
    about: str = ""
    secret: str | None = None
    asked: bool = False
    urgent: bool = False

    @property
    def text(self) -> str:
        return self.en if self.language == "en" else self.zh


class ResidentNotifier(Protocol):
    def tell_resident(self, message: ResidentMessage, session: Session | None = None
                      ) -> str | None: ...


class LogResidentNotifier:
    """Logs that a message would be sent (phone masked, never the text: it may hold a code),
    for a service built without the outbox; keeps what it was given in `sent`."""

    def __init__(self) -> None:
        self.sent: list[ResidentMessage] = []

    def tell_resident(self, message: ResidentMessage, session: Session | None = None
                      ) -> str | None:
        self.sent.append(message)
        phone = message.phone
        log.info("tell resident of %s (%s): %s", message.unit,
                 phone[:3] + "****" + phone[-4:], message.kind)
        return None
