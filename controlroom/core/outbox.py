"""The durable notification outbox (ARCHITECTURE §10).

`notify` and `tell_resident` add a `Notification` row to the caller's transaction (or their
own), so a message exists exactly when what caused it does; the commit nudges the sender.
`deliver_due` (the outbox job, and every nudge) claims each due row by compare-and-set —
attempts + 1 and the next attempt pushed past the claim time — then sends it and marks it
`sent`, or `failed` with the next attempt after a backoff. A control room killed between
the claim and the mark leaves the row to be claimed again once the claim lapses: the message
may then reach the channel twice, with the same id, which the contract tells receivers to
drop (so each notification is delivered exactly once as the receiver counts them).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from controlroom.core.audit import audit
from controlroom.core.channels import ChannelError, SmsGateway, StaffChannels
from controlroom.core.errors import Conflict, NotFound
from controlroom.core.notify import ResidentMessage
from controlroom.core.notify_models import Notification
from controlroom.core.notify_rules import (
    CLAIM_S,
    QuietHours,
    backoff,
    gives_up,
    mask_phone,
    rate_release,
)

log = logging.getLogger(__name__)

BATCH = 50  # rows claimed per pass; the next pass (a nudge or a second later) takes the rest


@dataclass(frozen=True)
class NotifyConfig:
    """The site's `[notify]` section with the environment's overrides (config/settings.py)."""

    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sms_url: str | None = None
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    rate_per_hour: int = 0
    timezone: str = "UTC"


class Outbox:
    def __init__(self, sessions: sessionmaker, config: NotifyConfig,
                 now: Callable[[], datetime], staff: StaffChannels | None = None,
                 sms: SmsGateway | None = None) -> None:
        self.sessions = sessions
        self.config = config
        self.now = now
        self.staff = staff or StaffChannels(config.roles)
        self.sms = sms or SmsGateway(config.sms_url)
        self.tz = ZoneInfo(config.timezone)
        self.wake: Callable[[], None] = lambda: None  # the app points it at the job's event
        for role, problem in self.staff.check():
            log.warning("notify role %s: %s", role, problem)
        if not config.sms_url:
            log.warning("no SMS gateway configured (BUTLER_SMS_URL or [notify] sms_url): "
                        "messages to residents will fail and show on the console")

    # -- recording -----------------------------------------------------------------------------

    def notify(self, role: str, subject: str, body: str, *, kind: str = "staff",
               about: str = "", urgent: bool = False, session: Session | None = None) -> None:
        """Record a message to a staff role's channels (the Notifier seam)."""
        now = self.now()
        self._record(session, Notification(
            id=uuid.uuid4().hex, kind=kind, channel="staff", recipient=role, unit=None,
            about=about[:128], subject=subject[:256], text=body, secret=None, urgent=urgent,
            state="queued", attempts=0, created_at=now, next_attempt_at=now, last_error="",
            delivered=[]))

    def tell_resident(self, message: ResidentMessage, session: Session | None = None
                      ) -> str | None:
        """Record a text message to a resident (the ResidentNotifier seam); its id."""
        now = self.now()
        row = Notification(
            id=uuid.uuid4().hex, kind=message.kind, channel="sms", recipient=message.phone,
            unit=message.unit, about=message.about[:128], subject="", text=message.text,
            secret=message.secret, urgent=message.urgent, state="queued", attempts=0,
            created_at=now, next_attempt_at=now, last_error="", delivered=[])

        def hold(s: Session) -> None:
            if not (message.urgent or message.asked):
                row.next_attempt_at = self._release(s, message.phone, now)
        self._record(session, row, hold)
        return row.id

    def _release(self, s: Session, phone: str, now: datetime) -> datetime:
        """When a non-urgent message to `phone` may go: after quiet hours, within the rate."""
        at = self.config.quiet_hours.release(now, self.tz)
        if self.config.rate_per_hour > 0:
            planned = s.scalars(select(
                func.coalesce(Notification.sent_at, Notification.next_attempt_at)).where(
                Notification.channel == "sms", Notification.recipient == phone,
                Notification.urgent.is_(False), Notification.kind != "login_code",
                Notification.created_at >= now - timedelta(days=1))).all()
            at = rate_release(at, [t for t in planned if t is not None],
                              self.config.rate_per_hour)
        return at

    def _record(self, session: Session | None, row: Notification,
                before: Callable[[Session], None] | None = None) -> None:
        if session is None:
            with self.sessions.begin() as s:
                if before:
                    before(s)
                s.add(row)
            self.wake()
            return
        if before:
            before(session)
        session.add(row)
        event.listen(session, "after_commit", lambda _s: self.wake(), once=True)

    # -- sending -------------------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Send every message due now (one pass); how many were attempted."""
        now = self.now()
        with self.sessions() as s:
            ids = s.scalars(select(Notification.id).where(Notification.next_attempt_at <= now)
                            .order_by(Notification.urgent.desc(), Notification.next_attempt_at)
                            .limit(BATCH)).all()
        tried = 0
        for nid in ids:
            row = self._claim(nid, now)
            if row is not None:
                self._send(row)
                tried += 1
        return tried

    def _claim(self, nid: str, now: datetime) -> Notification | None:
        with self.sessions.begin() as s:
            won = s.execute(update(Notification).where(
                Notification.id == nid, Notification.next_attempt_at <= now).values(
                attempts=Notification.attempts + 1,
                next_attempt_at=now + timedelta(seconds=CLAIM_S))
                .execution_options(synchronize_session=False)).rowcount
            if not won:
                return None  # another sender (a replica) has it
            row = s.get(Notification, nid)
            assert row is not None
            s.expunge(row)
            return row

    def _send(self, row: Notification) -> None:
        delivered = list(row.delivered or [])
        try:
            if row.channel == "sms":
                self.sms.send(row.id, row.recipient, row.text, row.kind)
            else:
                if not self.staff.urls(row.recipient):
                    raise ChannelError(f"no channel configured for the {row.recipient} role")
                done, errors = self.staff.send(row.recipient, delivered, row.id, row.subject,
                                               row.text)
                delivered += done
                if errors:
                    raise ChannelError("; ".join(errors))
        except ChannelError as exc:
            self._mark(row, "failed", str(exc), delivered)
            log.warning("notification %s (%s to %s) attempt %d failed: %s", row.id, row.kind,
                        self._who(row), row.attempts, exc)
        else:
            self._mark(row, "sent", "", delivered)
            log.info("notification %s (%s to %s) sent", row.id, row.kind, self._who(row))

    @staticmethod
    def _who(row: Notification) -> str:
        return mask_phone(row.recipient) if row.channel == "sms" else row.recipient

    def _mark(self, row: Notification, state: str, error: str, delivered: list[int]) -> None:
        now = self.now()
        nxt = None if state == "sent" or gives_up(row.attempts) else now + backoff(row.attempts)
        with self.sessions.begin() as s:
            s.execute(update(Notification).where(
                Notification.id == row.id, Notification.attempts == row.attempts).values(
                state=state, last_error=error[:2000], delivered=delivered, next_attempt_at=nxt,
                sent_at=now if state == "sent" else None)
                .execution_options(synchronize_session=False))

    # -- reading and resending -----------------------------------------------------------------

    def list(self, *, state: str | None = None, kind: str | None = None,
             recipient: str | None = None, about: str | None = None, limit: int = 200
             ) -> list[Notification]:
        with self.sessions() as s:
            q = select(Notification)
            if state:
                q = q.where(Notification.state == state)
            if kind:
                q = q.where(Notification.kind == kind)
            if recipient:
                q = q.where(or_(Notification.recipient == recipient,
                                Notification.unit == recipient))
            if about:
                q = q.where(Notification.about == about)
            return list(s.scalars(q.order_by(Notification.created_at.desc(),
                                             Notification.id).limit(limit)))

    def get(self, nid: str) -> Notification:
        with self.sessions() as s:
            row = s.get(Notification, nid)
            if row is None:
                raise NotFound(f"notification {nid} not found", code="not_found")
            return row

    def sent_lately(self, kind: str, recipient: str, since: datetime) -> int:
        """How many messages of `kind` to `recipient` were recorded since `since`."""
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(Notification).where(
                Notification.kind == kind, Notification.recipient == recipient,
                Notification.created_at >= since)) or 0

    def counts(self) -> dict[str, int]:
        """How many notifications are in each state (queued: the outbox's depth)."""
        with self.sessions() as s:
            rows = s.execute(select(Notification.state, func.count())
                             .group_by(Notification.state)).all()
        return {"queued": 0, "sent": 0, "failed": 0} | {st: int(n) for st, n in rows}

    def metric_families(self) -> Iterator[Any]:
        """The outbox on /metrics (controlroom.observability.add_metric_source): its depth
        (recorded, not yet sent: queued or failing and retried) and each state's count."""
        from prometheus_client.core import GaugeMetricFamily

        counts = self.counts()
        depth = GaugeMetricFamily("butler_notification_outbox_depth",
                                  "Notifications recorded and not yet sent (queued or failing).")
        depth.add_metric([], counts["queued"] + counts["failed"])
        yield depth
        states = GaugeMetricFamily("butler_notifications", "Notifications by state.",
                                   labels=["state"])
        for state, n in sorted(counts.items()):
            states.add_metric([state], n)
        yield states

    def failing(self) -> int:
        """How many notifications are failing now (the console's top bar)."""
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(Notification)
                            .where(Notification.state == "failed")) or 0

    def resend(self, nid: str, actor: str) -> Notification:
        """Send a failed notification again now (a fresh round of attempts), audited."""
        now = self.now()
        with self.sessions.begin() as s:
            row = s.get(Notification, nid)
            if row is None:
                raise NotFound(f"notification {nid} not found", code="not_found")
            if row.state != "failed":
                raise Conflict(f"notification {nid} is {row.state}: only a failed one is sent "
                              "again", code="not_failed")
            audit(s, now, actor, "notification.resend", f"notification:{nid}",
                  f"after {row.attempts} attempt(s): {row.last_error}"[:2000])
            row.attempts, row.next_attempt_at = 0, now
        self.wake()
        return self.get(nid)
