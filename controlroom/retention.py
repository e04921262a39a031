"""Retention: the rows that would otherwise grow for ever, removed once older than the site's
[retention] says (config.model.Retention; 0 days keeps them for ever).

- the gateway's idempotency keys (`ingested_signals`): a retry comes within hours, not weeks;
- the histories of resolved alerts and closed requests (an open alert's or request's history
  is never touched, whatever its age);
- the audit log, only when the site sets `audit_days` (by default it is kept for ever).

`cutoffs` decides (no I/O, the time passed in); `sweep` deletes and audits what it removed, in
one transaction. The control room runs it in its guarded loop (controlroom/jobs.run_every)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from config.model import Retention


@dataclass(frozen=True)
class Cutoffs:
    """Rows older than these go; None: that kind is kept for ever."""

    ingest_keys: datetime | None
    history: datetime | None
    audit: datetime | None


def cutoffs(policy: Retention, now: datetime) -> Cutoffs:
    def before(days: float) -> datetime | None:
        return now - timedelta(days=days) if days > 0 else None

    return Cutoffs(before(policy.ingest_keys_days), before(policy.history_days),
                   before(policy.audit_days))


@dataclass(frozen=True)
class Removed:
    ingest_keys: int = 0
    alert_history: int = 0
    request_history: int = 0
    audit: int = 0

    @property
    def total(self) -> int:
        return self.ingest_keys + self.alert_history + self.request_history + self.audit


def sweep(sessions: sessionmaker, policy: Retention, now: datetime) -> Removed:
    """Delete what is past retention; one audit entry says how much (when anything went)."""
    from controlroom.alarms.models import Alert, AlertHistory, IngestedSignal
    from controlroom.core.models import AuditEntry
    from controlroom.services.requests.models import ServiceRequest, ServiceRequestHistory

    cut = cutoffs(policy, now)
    counts: dict[str, int] = {}
    with sessions() as s:
        if cut.ingest_keys is not None:
            counts["ingest_keys"] = s.execute(
                delete(IngestedSignal).where(IngestedSignal.at < cut.ingest_keys)
                .execution_options(synchronize_session=False)).rowcount
        if cut.history is not None:
            resolved = select(Alert.id).where(Alert.state == "resolved",
                                              Alert.resolved_at < cut.history)
            counts["alert_history"] = s.execute(
                delete(AlertHistory).where(AlertHistory.at < cut.history,
                                           AlertHistory.alert_id.in_(resolved))
                .execution_options(synchronize_session=False)).rowcount
            closed = select(ServiceRequest.id).where(ServiceRequest.closed_at.is_not(None),
                                                     ServiceRequest.closed_at < cut.history)
            counts["request_history"] = s.execute(
                delete(ServiceRequestHistory).where(ServiceRequestHistory.at < cut.history,
                                                    ServiceRequestHistory.request_id.in_(closed))
                .execution_options(synchronize_session=False)).rowcount
        if cut.audit is not None:
            counts["audit"] = s.execute(
                delete(AuditEntry).where(AuditEntry.at < cut.audit)
                .execution_options(synchronize_session=False)).rowcount
        removed = Removed(**counts)
        if removed.total:
            s.add(AuditEntry(at=now, actor="system", action="retention.sweep", target="",
                             detail=", ".join(f"{k} {v}" for k, v in counts.items() if v)))
        s.commit()
    return removed
