"""The lobby kiosks as a fleet: each kiosk's heartbeat (version, uptime, readers' status, last
error) is kept; one silent past its window (3 heartbeat periods, the site's [kiosk]
heartbeat_s) is marked offline and raises one maintenance alert (`device_offline`, priority
4, for the kiosk), which is resolved when the kiosk is heard again. Both changes are in the
alert's history, the audit log and on the live board's stream.

`silent` decides (no I/O); `KioskFleet` records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Site
from controlroom.alarms.intake import SignalIntake
from controlroom.alarms.kiosk_models import KioskStatus
from controlroom.alarms.models import Alert
from controlroom.core.models import AuditEntry

MISSED_BEATS = 3  # as device supervision (ARCHITECTURE §6): 3 periods without a word
KIND = "device_offline"
PRIORITY = 4  # maintenance: a kiosk is a convenience, not a safety device


def silent(last_seen: datetime, now: datetime, heartbeat_s: float) -> bool:
    return now - last_seen > timedelta(seconds=MISSED_BEATS * heartbeat_s)


@dataclass(frozen=True)
class Heartbeat:
    version: str
    uptime_s: float
    readers: dict[str, str]
    last_error: str


class KioskFleet:
    def __init__(self, sessions: sessionmaker, site: Site, alerts: SignalIntake,
                 now: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.site = site
        self.alerts = alerts  # for its history and announcements
        self.now = now
        self.heartbeats = 0  # taken in by this process (for /metrics)

    @property
    def heartbeat_s(self) -> float:
        return self.site.kiosk_heartbeat_s

    def _open_key(self, kiosk: str) -> str:
        return f"{self.site.id}/kiosk/{kiosk}/{KIND}"

    def beat(self, kiosk: str, hb: Heartbeat) -> None:
        """Record a heartbeat; a kiosk that was offline is back: its alert is resolved."""
        now = self.now()
        announce: list[tuple[Any, Alert]] = []
        with self.sessions() as s:
            row = s.get(KioskStatus, kiosk, with_for_update=True)
            back = row is not None and not row.online
            if row is None:
                row = KioskStatus(kiosk=kiosk)
                s.add(row)
            row.online, row.last_seen = True, now
            row.version, row.uptime_s = hb.version[:64], hb.uptime_s
            row.readers, row.last_error = dict(hb.readers), hb.last_error[:2000]
            if back:
                s.add(AuditEntry(at=now, actor="system", action="kiosk.online",
                                 target=f"kiosk:{kiosk}", detail="heartbeat again"))
                announce += self._clear(s, kiosk, now)
            s.commit()
        self.heartbeats += 1
        for hist, alert in announce:
            self.alerts._announce(hist, alert)

    def _clear(self, s: Session, kiosk: str, now: datetime) -> list[tuple[Any, Alert]]:
        alert = s.scalar(select(Alert).where(Alert.open_key == self._open_key(kiosk)))
        if alert is None:
            return []
        alert.condition, alert.state = "restored", "resolved"
        alert.resolved_at, alert.resolved_by, alert.open_key = now, "system", None
        alert.updated_at = now
        hist = self.alerts._history(s, alert, "system", "restored_and_resolved",
                                    f"kiosk {kiosk} heard again")
        s.add(AuditEntry(at=now, actor="system", action="alert.resolve",
                         target=f"alert:{alert.id}", detail=f"kiosk {kiosk} back"))
        return [(hist, alert)]

    def sweep(self) -> list[str]:
        """Mark kiosks silent past their window offline, each with one maintenance alert.
        Returns the kiosks marked now."""
        now = self.now()
        marked: list[str] = []
        announce: list[tuple[Any, Alert]] = []
        with self.sessions() as s:
            rows = s.scalars(select(KioskStatus).where(KioskStatus.online.is_(True))
                             .with_for_update(skip_locked=True)).all()
            for row in rows:
                if not silent(row.last_seen, now, self.heartbeat_s):
                    continue
                row.online = False
                marked.append(row.kiosk)
                s.add(AuditEntry(at=now, actor="system", action="kiosk.offline",
                                 target=f"kiosk:{row.kiosk}",
                                 detail=f"no heartbeat since {row.last_seen.isoformat()}"))
                if s.scalar(select(Alert.id).where(Alert.open_key == self._open_key(row.kiosk))):
                    continue  # one alert per kiosk, however often it goes
                kiosk = self.site.kiosks.get(row.kiosk)
                alert = Alert(kind=KIND, priority=PRIORITY, state="open", condition="active",
                              site=self.site.id, building=kiosk.building if kiosk else None,
                              unit=None, device=row.kiosk, raised_at=now, updated_at=now,
                              occurrences=1, escalation=0, test=False,
                              detail={"kiosk": True, "last_seen": row.last_seen.isoformat(),
                                      "version": row.version, "last_error": row.last_error},
                              open_key=self._open_key(row.kiosk))
                s.add(alert)
                s.flush()
                hist = self.alerts._history(
                    s, alert, "system", "raised",
                    f"kiosk {row.kiosk}: no heartbeat for {MISSED_BEATS} periods")
                announce.append((hist, alert))
            s.commit()
        for hist, alert in announce:
            self.alerts._announce(hist, alert)
        return marked

    def list(self) -> list[dict[str, Any]]:
        """Every kiosk of the site with what its last heartbeat said (never heard: online
        None)."""
        now = self.now()
        with self.sessions() as s:
            rows = {r.kiosk: r for r in s.scalars(select(KioskStatus))}
        out = []
        for kid, kiosk in sorted(self.site.kiosks.items()):
            r = rows.get(kid)
            out.append({
                "id": kid, "building": kiosk.building, "name_zh": kiosk.name_zh,
                "name_en": kiosk.name_en, "online": None if r is None else r.online,
                "last_seen": None if r is None else r.last_seen,
                "age_s": None if r is None else (now - r.last_seen).total_seconds(),
                "version": "" if r is None else r.version,
                "uptime_s": None if r is None else r.uptime_s,
                "readers": {} if r is None else r.readers,
                "last_error": "" if r is None else r.last_error,
            })
        return out

    def metric_families(self) -> Iterable[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        kiosks = self.list()
        offline = GaugeMetricFamily("butler_kiosks_offline",
                                    "Kiosks silent past their heartbeat window.")
        offline.add_metric([], sum(1 for k in kiosks if k["online"] is False))
        yield offline
        age = GaugeMetricFamily("butler_kiosk_heartbeat_age_seconds",
                                "Seconds since each kiosk's last heartbeat.", labels=["kiosk"])
        for k in kiosks:
            if k["age_s"] is not None:
                age.add_metric([k["id"]], k["age_s"])
        yield age
        yield CounterMetricFamily("butler_kiosk_heartbeats",
                                  "Kiosk heartbeats taken in by this replica.",
                                  value=self.heartbeats)
