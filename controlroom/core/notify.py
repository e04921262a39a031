"""Telling people by role (e.g. the supervisor on an escalation), behind a seam.

The default writes a WARNING to the log; a pager, SMS or chat integration implements the same
one-method protocol, and tests pass one that records.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("controlroom.core.notify")


class Notifier(Protocol):
    def notify(self, role: str, subject: str, body: str) -> None: ...


class LogNotifier:
    """Notifies by logging at WARNING, so an escalation is never silent even unconfigured."""

    def notify(self, role: str, subject: str, body: str) -> None:
        log.warning("notify %s: %s — %s", role, subject, body)


def notify_safely(notifier: Notifier, role: str, subject: str, body: str, about: str) -> None:
    """Notify, and log (never raise) when the notifier fails: what it reports on (an escalated
    alert, an overdue request) is already recorded and on every console whatever it does."""
    try:
        notifier.notify(role, subject, body)
    except Exception:
        log.exception("could not notify %s of %s", role, about)


class ResidentNotifier(Protocol):
    """Telling a resident (a parcel arrived, a one-time code, waiting for parts). The log
    backend now; SMS or WeChat later implement the same method."""

    def tell_resident(self, unit: str, phone: str, message: str) -> None: ...


class LogResidentNotifier:
    """Logs what would be sent, with the phone number masked (the log is not the SMS)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def tell_resident(self, unit: str, phone: str, message: str) -> None:
        self.sent.append((unit, phone, message))
        log.info("tell resident of %s (%s): %s", unit, phone[:3] + "****" + phone[-4:], message)
