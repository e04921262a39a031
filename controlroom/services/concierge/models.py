"""Tables of lost and found, wake-up calls and bookings (on the one `Base`; tables.py lists
every domain's models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base


class FoundItem(Base):
    """Something found on the estate: what, where, when, by whom, a photo; then who claimed it,
    against which ID (kept in full, shown masked), and who handed it over."""

    __tablename__ = "found_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(128))
    found_at: Mapped[datetime]
    found_by: Mapped[str] = mapped_column(String(128))  # who brought it in
    recorded_by: Mapped[str] = mapped_column(String(64))
    storage: Mapped[str] = mapped_column(String(32), default="")
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    photo_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="held", index=True)  # held|claimed
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    claimant: Mapped[str | None] = mapped_column(String(128), nullable=True)
    claimant_unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimant_id_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class WakeupCall(Base):
    """A wake-up call booked for a flat. Each call attempt is recorded; after the second
    unanswered one a butler is sent to the door (seed 003)."""

    __tablename__ = "wakeup_calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    phone: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # scheduled | answered | butler_sent | cancelled
    state: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # unanswered calls so far
    last_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    told_due: Mapped[int] = mapped_column(Integer, default=0)  # desk told of attempt n due
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Booking(Base):
    """One time slot of a bookable service for a flat. `slot_key` is unique while the booking
    stands and NULL once cancelled: the database itself refuses a second booking of the slot,
    whatever two requests race (as alerts' open_key does)."""

    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(32))
    start: Mapped[datetime] = mapped_column(index=True)
    end: Mapped[datetime]
    unit: Mapped[str] = mapped_column(String(32), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="booked")  # booked | cancelled
    slot_key: Mapped[str | None] = mapped_column(String(96), unique=True, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Visitor(Base):
    """A visitor expected at a flat: registered at the desk or announced by the resident at
    the kiosk (seeds 000, 002); the desk sees who is expected and records arrival and leaving.
    The visitor's ID number, if shown, is kept to its last 4 characters only."""

    __tablename__ = "visitors"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")
    purpose: Mapped[str] = mapped_column(String(200), default="")
    expected_at: Mapped[datetime] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(16))  # desk | kiosk
    registered_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="expected")  # expected|arrived|left
    arrived_at: Mapped[datetime | None] = mapped_column(nullable=True)
    id_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    left_at: Mapped[datetime | None] = mapped_column(nullable=True)
