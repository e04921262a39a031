"""The outbox's decisions, as pure functions of values (time passed in): how long to wait
before the next attempt, when a resident's non-urgent message may go (quiet hours, the flat's
rate limit), and how a code or phone number is shown outside the message itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# 1 s, 2 s, 4 s ... capped at a minute: a gateway back after a short outage gets its messages
# within seconds, one down for an hour is asked once a minute, not hammered.
BACKOFF_FIRST_S = 1.0
BACKOFF_CAP_S = 60.0
# After this many failed attempts (about a day at the cap) a message stays `failed` until
# someone resends it from the console; every failed one is on the console's top bar.
MAX_ATTEMPTS = 1440
# How long a sender may take over one message before another may try it (the channel's own
# timeout is shorter): a control room killed mid-send leaves the message to be sent again.
CLAIM_S = 20.0


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1 → 1 s, 2 → 2 s, ... capped)."""
    return timedelta(seconds=min(BACKOFF_CAP_S, BACKOFF_FIRST_S * 2 ** max(0, attempts - 1)))


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS


@dataclass(frozen=True)
class QuietHours:
    """From `start` to `end` in the site's time (e.g. 22:00-07:00, across midnight) residents
    get no message that can wait; None start means none."""

    start: time | None = None
    end: time | None = None

    @classmethod
    def parse(cls, spec: str) -> QuietHours:
        """ "22:00-07:00" or "" (none); ValueError otherwise."""
        spec = spec.strip()
        if not spec:
            return cls()
        try:
            a, b = (time.fromisoformat(p.strip()) for p in spec.split("-"))
        except ValueError:
            raise ValueError(f"quiet hours {spec!r} are not HH:MM-HH:MM") from None
        return cls(a, b)

    def release(self, now: datetime, tz: ZoneInfo) -> datetime:
        """`now` if outside quiet hours, else when they end (UTC-aware like `now`)."""
        if self.start is None or self.end is None or self.start == self.end:
            return now
        local = now.astimezone(tz)
        t = local.time()
        overnight = self.start > self.end
        inside = (t >= self.start or t < self.end) if overnight else self.start <= t < self.end
        if not inside:
            return now
        end_day = local.date() + timedelta(days=1) if overnight and t >= self.start \
            else local.date()
        return datetime.combine(end_day, self.end, tzinfo=tz).astimezone(now.tzinfo)


def rate_release(now: datetime, scheduled: Sequence[datetime], per_hour: int) -> datetime:
    """When a flat's next non-urgent message may go, given when its others go (`scheduled`:
    sent or planned times): at most `per_hour` in any hour; 0 means no limit."""
    if per_hour <= 0:
        return now
    at, times = now, sorted(scheduled)
    while True:
        recent = [t for t in times if at - timedelta(hours=1) < t <= at]
        if len(recent) < per_hour:
            return at
        # Wait until the oldest of the hour's last `per_hour` leaves the window.
        at = recent[-per_hour] + timedelta(hours=1)


def mask_code(text: str, secret: str | None) -> str:
    """The text as shown anywhere but in the message itself: the code as dots."""
    return text.replace(secret, "•" * len(secret)) if secret else text


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) > 7 else "****"
