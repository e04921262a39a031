"""Request and response bodies of the fee API: statements, payments and a flat's account."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)


class ChargeIn(BaseModel):
    label_zh: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    label_en: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    amount: float = Field(ge=0, le=1_000_000, description="yuan")


class StatementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = Field(
        description="YYYY-MM")
    due: date
    charges: list[ChargeIn] = Field(min_length=1, max_length=30)


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: float = Field(gt=0, le=1_000_000, description="yuan")
    method: Literal["cash", "wechat", "alipay", "bank", "card"]
    note: Annotated[str, StringConstraints(max_length=200)] = ""


class ChargePublic(BaseModel):
    label_zh: str
    label_en: str
    amount: float = Field(description="yuan")


class StatementPublic(BaseModel):
    period: str = Field(description="YYYY-MM")
    charges: list[ChargePublic]
    paid: float = Field(description="yuan")
    due: str = Field(description="ISO 8601 date")
    status: str


class PaymentLine(BaseModel):
    at: str = Field(description="ISO 8601")
    amount: float = Field(description="yuan")
    method: str


class OrderChargePublic(BaseModel):
    """A paid order charged to the flat: pending until the service is done, then billed
    (counted, due 30 days after completion), or void if the order was cancelled."""

    request_id: int
    request_number: str
    label_zh: str
    label_en: str
    amount: float = Field(description="yuan")
    state: Literal["pending", "billed", "void"]
    created_at: str = Field(description="ISO 8601")
    billed_at: str | None = Field(description="ISO 8601, when the service was completed")
    due: str | None = Field(description="ISO 8601 date, once billed")
    paid: float = Field(description="yuan covered by payments (billed charges only)")
    status: Literal["pending", "void", "unpaid", "part", "paid"]


class AccountPublic(BaseModel):
    """A flat's account as the kiosk contract shows it (docs/api/kiosk.md): newest first."""

    unit: str
    balance: float = Field(description="yuan")
    arrears: float = Field(description="yuan")
    currency: str
    statements: list[StatementPublic]
    payments: list[PaymentLine]
    order_charges: list[OrderChargePublic] = Field(
        default_factory=list, description="paid orders charged to the flat, newest first")


class PaymentPublic(BaseModel):
    id: int
    at: str = Field(description="ISO 8601")
    amount: float = Field(description="yuan")
    method: str
    recorded_by: str


class PaymentOut(BaseModel):
    payment: PaymentPublic
    account: AccountPublic


class ArrearPublic(BaseModel):
    unit: str
    arrears: float = Field(description="yuan overdue")
    balance: float = Field(description="yuan")


class ArrearsOut(BaseModel):
    data: list[ArrearPublic]
    total: float = Field(description="yuan overdue over every flat")
