"""The outbox's edges (ARCHITECTURE §10): staff roles through apprise URLs, residents through
the SMS-gateway contract (`POST {"id", "to", "text", "kind"}`, a 2xx answer means sent).

Nothing here logs a message's text: it may hold a pickup or login code."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import apprise
import httpx

# Shorter than notify_rules.CLAIM_S, so a slow channel never overlaps a second sender.
SEND_TIMEOUT_S = 10.0
# Schemes whose receiver can drop a repeat by a header or a field: they get the id in both.
_ID_SCHEMES = ("json", "jsons", "form", "forms", "xml", "xmls")


_URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://\S+", re.IGNORECASE)


class _RedactUrls(logging.Filter):
    """apprise logs a URL it cannot parse as it is, token or password included: its records
    keep the scheme only."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        redacted = _URL.sub(lambda m: f"{m.group(1)}://…", text)
        if redacted != text:
            record.msg, record.args = redacted, None
        return True


logging.getLogger("apprise").addFilter(_RedactUrls())


class ChannelError(Exception):
    """One attempt did not get through; the outbox tries again later. `str()` is safe to log
    and show (no message text, no secrets of the URL)."""


def with_id(url: str, notification_id: str) -> str:
    """The apprise URL carrying the notification's id as an `X-Notification-Id` header and an
    `id` field, for the webhook schemes that have them; other URLs as they are."""
    scheme = url.split("://", 1)[0].lower()
    if scheme not in _ID_SCHEMES:
        return url
    sep = "&" if "?" in url else "?"
    nid = quote(notification_id)
    return f"{url}{sep}+X-Notification-Id={nid}&:id={nid}"


def shown(url: str) -> str:
    """The URL with its secrets masked (apprise's privacy form), or just its scheme."""
    plugin = apprise.Apprise.instantiate(url)
    return plugin.url(privacy=True) if plugin else url.split("://", 1)[0] + "://…"


@dataclass
class StaffChannels:
    """Each role's apprise URLs (site file `[notify.roles]`, or `BUTLER_NOTIFY_<ROLE>`)."""

    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def urls(self, role: str) -> tuple[str, ...]:
        return tuple(self.roles.get(role, ()))

    def check(self) -> list[tuple[str, str]]:
        """(role, problem) for each channel apprise cannot use, said without its secrets."""
        return [(role, f"channel {i + 1} ({url.split('://', 1)[0]}://…) is not a usable "
                       "apprise URL")
                for role, urls in self.roles.items() for i, url in enumerate(urls)
                if apprise.Apprise.instantiate(url) is None]

    def send(self, role: str, skip: Iterable[int], notification_id: str, subject: str,
             body: str) -> tuple[list[int], list[str]]:
        """Send to each of the role's channels not in `skip`: (indexes that took it, errors)."""
        done, errors = [], []
        skipped = set(skip)
        for i, url in enumerate(self.urls(role)):
            if i in skipped:
                continue
            a = apprise.Apprise()
            if not a.add(with_id(url, notification_id)):
                errors.append(f"{shown(url)}: not a usable apprise URL")
                continue
            if a.notify(title=subject, body=f"{body}\n\nref {notification_id}"):
                done.append(i)
            else:
                errors.append(f"{shown(url)}: not delivered")
        return done, errors


@dataclass
class SmsGateway:
    """The SMS-gateway contract of §10 at `url` (None: not configured, every send fails)."""

    url: str | None
    transport: httpx.BaseTransport | None = None

    def send(self, notification_id: str, to: str, text: str, kind: str) -> None:
        if not self.url:
            raise ChannelError("no SMS gateway configured (BUTLER_SMS_URL or [notify] sms_url)")
        try:
            with httpx.Client(timeout=SEND_TIMEOUT_S, transport=self.transport) as client:
                r = client.post(self.url, json={"id": notification_id, "to": to, "text": text,
                                                "kind": kind})
        except httpx.HTTPError as exc:
            raise ChannelError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if not 200 <= r.status_code < 300:
            raise ChannelError(f"SMS gateway answered HTTP {r.status_code}")
