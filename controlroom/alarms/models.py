"""Tables of the alarm path: devices, alerts with their history and plan ticks, ingested
signals, test windows and walk-test reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from controlroom.core.db import Base, UTCDateTime


class DeviceRecord(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    site: Mapped[str] = mapped_column(String(64))
    building: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    online: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    battery: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lel: Mapped[float | None] = mapped_column(nullable=True)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_open", "state", "priority", "raised_at"),
        # The alarm board (`state=open`): the few unresolved alerts among years of resolved
        # ones, without scanning those (migration 0004).
        Index("ix_alerts_unresolved", "priority", "raised_at", "id",
              postgresql_where=text("state <> 'resolved'"),
              sqlite_where=text("state <> 'resolved'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="open")
    condition: Mapped[str] = mapped_column(String(16), default="active")
    site: Mapped[str] = mapped_column(String(64))
    building: Mapped[str | None] = mapped_column(String(16), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    device: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_to: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    cause: Mapped[str | None] = mapped_column(String(32))
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    escalation: Mapped[int] = mapped_column(Integer, default=0)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # Unique while open: one open alert per device and kind (§6). NULL once resolved, so
    # resolved alerts never collide. Enforced by the database, not only by the code path.
    open_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    history: Mapped[list[AlertHistory]] = relationship(
        back_populates="alert", order_by="AlertHistory.id", lazy="raise"
    )


class AlertHistory(Base):
    """Every change to an alert, with who and when. Its id is the SSE event id."""

    __tablename__ = "alert_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    alert: Mapped[Alert] = relationship(back_populates="history")


class PlanTick(Base):
    """One step of an alert's action plan, ticked off by an operator (ARCHITECTURE §6)."""

    __tablename__ = "plan_ticks"
    __table_args__ = (UniqueConstraint("alert_id", "step", name="uq_plan_tick_step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)  # 1-based, in the plan's order
    text: Mapped[str] = mapped_column(Text, default="")  # the step (en) as it read when ticked
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))


class IngestedSignal(Base):
    """Idempotency: a gateway signal key is applied once, however often it is delivered."""

    __tablename__ = "ingested_signals"
    __table_args__ = (UniqueConstraint("key", name="uq_ingested_signal_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # retention deletes by age


class TestWindow(Base):
    """A device, flat or building on test for a bounded time (ARCHITECTURE §6, test mode)."""

    __tablename__ = "test_windows"
    __test__ = False  # not a pytest test class
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # device | unit | building
    target: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)


class TestReport(Base):
    """A signal from a device while it was on test: the walk-test record."""

    __tablename__ = "test_reports"
    __test__ = False
    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("test_windows.id"), index=True)
    device: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    condition: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuarantineEntry(Base):
    """A message the gateway rejected (issue 17): the last few per reason are kept for
    maintenance to inspect (controlroom/alarms/quarantine.py prunes the rest)."""

    __tablename__ = "quarantine_entries"
    __table_args__ = (Index("ix_quarantine_reason_at", "reason", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    gateway: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(300))  # the topic, serial port or peer
    device: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # escaped, from the first 1 KiB
    size: Mapped[int] = mapped_column(Integer)  # the whole payload's size in bytes


class DeviceCommand(Base):
    """A command an operator or maintenance sent a device from the console (ARCHITECTURE §4
    `cmd`), relayed by the gateway and confirmed by the device's `ack` (issue 17)."""

    __tablename__ = "device_commands"
    __table_args__ = (Index("ix_device_commands_state", "state", "requested_at"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # c-<hex>, the cmd's `id`
    device: Mapped[str] = mapped_column(String(64), index=True)
    cmd: Mapped[str] = mapped_column(String(32))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), nullable=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timeout_s: Mapped[int] = mapped_column(Integer)
    # requested -> sent (the gateway published it) -> ok | failed; no_answer after timeout_s
    state: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class RollMark(Base):
    """A flat on the roll of a building-wide alert (an incident's evacuation): reached or not,
    by whom and when (issue 17). No row: not yet reached."""

    __tablename__ = "roll_marks"
    __table_args__ = (UniqueConstraint("alert_id", "unit", name="uq_roll_mark_unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    unit: Mapped[str] = mapped_column(String(32))
    reached: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))


class Drill(Base):
    """A scheduled exercise on a building (issue 17): a test window and a test alert whose
    plan is run; the plan's ticks give each step's time."""

    __tablename__ = "drills"
    id: Mapped[int] = mapped_column(primary_key=True)
    building: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    window_id: Mapped[int] = mapped_column(Integer)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
