"""Telling people by role (e.g. the supervisor on an escalation), behind a seam.

The default writes a WARNING to the log; a pager, SMS or chat integration implements the same
one-method protocol, and tests pass one that records.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("controlroom.notify")


class Notifier(Protocol):
    def notify(self, role: str, subject: str, body: str) -> None: ...


class LogNotifier:
    """Notifies by logging at WARNING, so an escalation is never silent even unconfigured."""

    def notify(self, role: str, subject: str, body: str) -> None:
        log.warning("notify %s: %s — %s", role, subject, body)
