"""The six-monthly satisfaction survey's answers (seed 002: a survey every six months; on the
one `Base`; tables.py lists every domain's models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from controlroom.core.db import Base


class SurveyAnswer(Base):
    """One flat's answer to one half-year's survey (a second answer replaces the first)."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("period", "unit", name="uq_survey_answers_period_unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # "2026-H2"
    unit: Mapped[str] = mapped_column(String(32))
    overall: Mapped[int] = mapped_column(Integer)  # 1..5 each
    attitude: Mapped[int] = mapped_column(Integer)
    quality: Mapped[int] = mapped_column(Integer)
    punctuality: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
