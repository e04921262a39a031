"""Models of the resident services of the desk: held items, keys in custody and lent
items (DOMAIN.md "Held items and keys", "The self-service terminal").

Every write is also an `AuditEntry` (who and when); these tables hold the current state and
the registers the seeds ask for.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base, UTCDateTime

__all__ = ["HeldItem", "KeyCustody", "KeyMovement", "LentItem", "PickupAttempt", "VacationHold"]


class HeldItem(Base):
    """One parcel, deposit, hand-over or key held at the desk (the seed's storage register)."""

    __tablename__ = "held_items"
    __table_args__ = (Index("ix_held_items_open", "state", "unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # Shared by the record, the claim (pickup code) and the tag on the item: "261122-00017".
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    building: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # parcel | deposit | handover | key
    state: Mapped[str] = mapped_column(String(16), default="held")  # held | released
    carrier: Mapped[str] = mapped_column(String(64), default="")
    barcode: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    pieces: Mapped[int] = mapped_column(Integer, default=1)
    condition: Mapped[str] = mapped_column(Text, default="")  # damage noted at intake
    location: Mapped[str] = mapped_column(String(32))  # storage place, e.g. "A-03"
    depositor: Mapped[str] = mapped_column(String(128), default="")  # hand-overs: from whom
    depositor_phone: Mapped[str] = mapped_column(String(32), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by: Mapped[str] = mapped_column(String(64))
    expected_pickup: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The pickup code. `open_code` is the code while the item is held and NULL after: unique,
    # so the database itself keeps codes unique among open items.
    code: Mapped[str] = mapped_column(String(6), index=True)
    open_code: Mapped[str | None] = mapped_column(String(6), unique=True, nullable=True)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    picked_up_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    released_via: Mapped[str | None] = mapped_column(String(16), nullable=True)  # kiosk|desk
    id_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Notices sent about it (reminders.py), and the last time it was seen on the shelf.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    final_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    missing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PickupAttempt(Base):
    """Every try at the kiosk or desk, right or wrong (never the code typed)."""

    __tablename__ = "pickup_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))  # kiosk id or staff username
    item_id: Mapped[int | None] = mapped_column(ForeignKey("held_items.id"), nullable=True)
    outcome: Mapped[str] = mapped_column(String(32))  # found, released, wrong_code, locked...


class VacationHold(Base):
    """A flat's items kept at the desk while the residents are away; reminders pause."""

    __tablename__ = "vacation_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))


class KeyCustody(Base):
    """A flat's door key left with the desk, only with a signed custody declaration."""

    __tablename__ = "key_custody"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    label: Mapped[str] = mapped_column(String(64))  # tag on the key ring, e.g. "K-1-2-1502"
    declaration_ref: Mapped[str] = mapped_column(String(64))  # the signed declaration on file
    declaration_signed_at: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(Text, default="")  # repairs, vacant-home service
    state: Mapped[str] = mapped_column(String(16), default="in")  # in | out | returned
    holder: Mapped[str | None] = mapped_column(String(128), nullable=True)  # while out
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[str] = mapped_column(String(64))
    # The declaration itself (issue 16): who signed it, that their ID was checked (its type
    # and last 4 characters only, never the whole number), and the scan or drawn signature.
    signer_name: Mapped[str] = mapped_column(String(128), default="")
    signer_id_type: Mapped[str] = mapped_column(String(16), default="")
    signer_id_last4: Mapped[str] = mapped_column(String(4), default="")
    declaration_kind: Mapped[str] = mapped_column(String(8), default="")  # scan | drawn
    declaration_media_type: Mapped[str] = mapped_column(String(32), default="")
    declaration_file: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True,
                                                           deferred=True)


class KeyMovement(Base):
    """Every movement of a key in custody: out, back, or returned to the owner."""

    __tablename__ = "key_movements"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("key_custody.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    direction: Mapped[str] = mapped_column(String(16))  # in | out | back | returned
    to_whom: Mapped[str] = mapped_column(String(128), default="")
    why: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))


class LentItem(Base):
    """Something lent to a flat (trolley, toolbox): followed up after 3 days."""

    __tablename__ = "lent_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    item: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    lent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lent_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    return_condition: Mapped[str] = mapped_column(Text, default="")
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
