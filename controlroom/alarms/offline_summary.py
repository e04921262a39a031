"""Devices gone silent, summed up for maintenance (ARCHITECTURE §10: "one summary per sweep,
never one message per device"). A power cut or a broker restart silences a hundred devices at
once; maintenance wants one message saying so, not a hundred.

The watermark (when the newest device summed up went silent) is a row of the shared settings
table, moved by compare-and-set in the transaction that records the message, so two replicas
never send the same summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from controlroom.alarms.models import Alert
from controlroom.core.models import Setting
from controlroom.core.notify import Notifier, notify_safely

OFFLINE_KINDS = ("device_offline", "panel_offline")
WATERMARK = "offline_summary_at"
# At the first sweep (no watermark yet) only what went silent this recently is news.
FIRST_LOOK_BACK = timedelta(minutes=5)
LISTED = 30  # devices named in the message; the rest are counted
MAINTENANCE = "maintenance"


def summary(rows: Sequence[tuple[str, str | None, str | None, str]]) -> tuple[str, str]:
    """(subject, body) for (device, unit, building, kind) rows gone silent, one message."""
    n = len(rows)
    buildings = sorted({b for _, _, b, _ in rows if b})
    subject = f"{n} device(s) offline" + (f" in building(s) {', '.join(buildings)}"
                                           if buildings else "")
    lines = [f"{dev} ({unit or 'building ' + (b or '-')}): {kind}"
             for dev, unit, b, kind in rows[:LISTED]]
    if n > LISTED:
        lines.append(f"… and {n - LISTED} more (see the alarm board)")
    return subject, "Gone silent since the last summary:\n" + "\n".join(lines)


def summarize_offline(sessions: sessionmaker, notifier: Notifier, now: datetime) -> int:
    """Record one message to maintenance for every device that went offline since the last
    summary; how many devices it covered (0: no message)."""
    with sessions() as s:
        mark = s.get(Setting, WATERMARK)
        since = datetime.fromisoformat(mark.value) if mark else now - FIRST_LOOK_BACK
        rows = s.execute(select(Alert.device, Alert.unit, Alert.building, Alert.kind,
                                Alert.raised_at).where(
            Alert.kind.in_(OFFLINE_KINDS), Alert.test.is_(False), Alert.raised_at > since,
            Alert.raised_at <= now).order_by(Alert.raised_at, Alert.id)).all()
        if not rows:
            return 0
        # The watermark moves to the newest alert summed up (not to `now`: one raised in
        # this very instant but committed after the read is the next summary's).
        newest = max(r[-1] for r in rows)
        if not _move(s, mark, newest):
            return 0  # another replica summed them up
        subject, body = summary([(d or "-", u, b, k) for d, u, b, k, _ in rows])
        notify_safely(notifier, MAINTENANCE, subject, body, "devices", kind="offline",
                      session=s)
        s.commit()
        return len(rows)


def _move(s: Session, mark: Setting | None, now: datetime) -> bool:
    if mark is None:
        s.add(Setting(key=WATERMARK, value=now.isoformat()))
        return True
    result: Any = s.execute(update(Setting).where(
        Setting.key == WATERMARK, Setting.value == mark.value).values(value=now.isoformat())
        .execution_options(synchronize_session=False))
    return bool(result.rowcount)
