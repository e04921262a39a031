"""Tables of the flats' fee accounts: statements and payments (DOMAIN.md "The self-service
terminal"). Every write is also an `AuditEntry`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base, UTCDateTime


class FeeStatement(Base):
    """A flat's statement for a period; amounts in fen (1/100 yuan), never floats."""

    __tablename__ = "fee_statements"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    period: Mapped[str] = mapped_column(String(7))  # "2026-10"
    due: Mapped[date] = mapped_column(Date)
    charges: Mapped[list] = mapped_column(JSON)  # [{"label_zh","label_en","amount_fen"}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class FeePayment(Base):
    __tablename__ = "fee_payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount_fen: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(32))  # cash, wechat, alipay, bank, card
    recorded_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class FeeCharge(Base):
    """The price of one paid order (a fixed-price menu item), charged to the flat: pending
    while the service is under way, billed when it is completed (then it falls due), void if
    the order is cancelled (charges.py). One per request."""

    __tablename__ = "fee_charges"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    request_id: Mapped[int] = mapped_column(Integer, unique=True)
    request_number: Mapped[str] = mapped_column(String(32))
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(8))  # pending, billed, void
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    billed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
