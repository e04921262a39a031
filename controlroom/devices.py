"""Device registry and health, as reported by the gateway."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from controlroom.models import DeviceRecord
from controlroom.schemas import DeviceStateIn


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

    def update(self, states: list[DeviceStateIn]) -> tuple[int, list[str]]:
        """Apply reported health; returns (updated, unknown ids)."""
        unknown: list[str] = []
        updated = 0
        with self.sessions() as s:
            for st in states:
                rec = s.get(DeviceRecord, st.id)
                if rec is None:
                    unknown.append(st.id)
                    continue
                for field in ("online", "last_seen", "battery", "lel"):
                    value = getattr(st, field)
                    if value is not None:
                        setattr(rec, field, value)
                updated += 1
            s.commit()
        return updated, unknown
