"""Device registry and health, as reported by the gateway."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.alarms.models import DeviceRecord
from controlroom.alarms.schemas import DeviceStateIn


class DeviceService:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def list(self, building: str | None = None, unit: str | None = None
             ) -> Sequence[DeviceRecord]:
        q = select(DeviceRecord).order_by(DeviceRecord.id)
        if building is not None:
            q = q.where(DeviceRecord.building == building)
        if unit is not None:
            q = q.where(DeviceRecord.unit == unit)
        with self.sessions() as s:
            return s.scalars(q).all()

    def update(self, states: builtins.list[DeviceStateIn]) -> tuple[int, builtins.list[str]]:
        """Apply reported health; returns (updated, unknown ids)."""
        with self.sessions() as s:
            known = set(s.scalars(select(DeviceRecord.id).where(
                DeviceRecord.id.in_([st.id for st in states]))))
            unknown = [st.id for st in states if st.id not in known]
            # One executemany per set of reported fields: a gateway's report can name every
            # device of an estate, and row-by-row ORM updates would hold the write lock long
            # enough to delay alarms.
            groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
            for st in states:
                if st.id not in known:
                    continue
                values = {f: getattr(st, f) for f in ("online", "last_seen", "battery", "lel")
                          if getattr(st, f) is not None}
                groups.setdefault(tuple(sorted(values)), []).append({"_id": st.id, **values})
            for fields, rows in groups.items():
                if not fields:
                    continue
                stmt = (update(DeviceRecord)
                        .where(DeviceRecord.id == bindparam("_id"))
                        .values({f: bindparam(f) for f in fields}))
                s.connection().execute(stmt, rows)
            s.commit()
        return len(states) - len(unknown), unknown


def sync_devices(sessions: sessionmaker, site: Site) -> None:
    """Register every device and panel of the site; keep their last known health."""
    with sessions() as s:
        known = set(s.scalars(select(DeviceRecord.id)))
        rows = [
            DeviceRecord(id=d.id, kind=d.kind, site=site.id, building=d.building, unit=d.unit)
            for d in site.devices.values() if d.id not in known
        ] + [
            DeviceRecord(id=p.id, kind="alarm_panel", site=site.id, building=p.building, unit=None)
            for p in site.panels.values() if p.id not in known
        ]
        s.add_all(rows)
        s.commit()
