"""Loading a month's records for the monthly report (monthly.py decides every figure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.alarms.kpis import AlertFacts
from controlroom.alarms.models import Alert
from controlroom.core.clock import utcnow
from controlroom.core.errors import Invalid
from controlroom.reports.monthly import (
    ItemFacts,
    KeyFacts,
    MonthlyReport,
    RequestFacts,
    month_window,
    monthly_report,
)
from controlroom.services.desk.models import HeldItem, KeyCustody, KeyMovement
from controlroom.services.requests.models import ServiceRequest

__all__ = ["ReportService"]


class ReportService:
    def __init__(self, sessions: sessionmaker, site: Site,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.now = now

    def monthly(self, month: str) -> MonthlyReport:
        try:
            start, end = month_window(month, self.site.timezone)
        except ValueError as exc:
            raise Invalid(f"month: {exc}", code="invalid") from None
        with self.sessions() as s:
            reqs = [RequestFacts(
                number=r.number, type=r.type, building=r.building, severity=r.severity,
                valid=r.valid, state=r.state, created_at=r.created_at, closed_at=r.closed_at,
                resident_confirmed=r.resident_confirmed, promises=r.promises or {},
                ratings=(r.rating_attitude, r.rating_quality, r.rating_punctuality))
                for r in s.scalars(select(ServiceRequest).where(or_(
                    and_(ServiceRequest.created_at >= start, ServiceRequest.created_at < end),
                    and_(ServiceRequest.closed_at >= start, ServiceRequest.closed_at < end))))]
            alerts = [AlertFacts(*row) for row in s.execute(
                select(Alert.kind, Alert.priority, Alert.device, Alert.raised_at,
                       Alert.acknowledged_at, Alert.resolved_at, Alert.cause, Alert.test)
                .where(Alert.raised_at >= start, Alert.raised_at < end))]
            items = [ItemFacts(*row) for row in s.execute(
                select(HeldItem.kind, HeldItem.received_at, HeldItem.picked_up_at).where(
                    HeldItem.received_at < end,
                    or_(HeldItem.picked_up_at.is_(None), HeldItem.picked_up_at >= start)))]
            returned = dict(s.execute(select(KeyMovement.key_id, func.min(KeyMovement.at))
                                      .where(KeyMovement.direction == "returned")
                                      .group_by(KeyMovement.key_id)).all())
            outs = dict(s.execute(select(KeyMovement.key_id, func.count())
                                  .where(KeyMovement.direction == "out",
                                         KeyMovement.at >= start, KeyMovement.at < end)
                                  .group_by(KeyMovement.key_id)).all())
            keys = [KeyFacts(k.unit, k.taken_at, returned.get(k.id), int(outs.get(k.id, 0)))
                    for k in s.scalars(select(KeyCustody).where(KeyCustody.taken_at < end))]
        return monthly_report(month, self.site.timezone, self.now(), reqs, alerts, items, keys)
