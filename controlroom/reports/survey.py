"""The six-monthly satisfaction survey (seed 002): each flat's answer recorded by the desk
(from the paper form or a call), and the half-year summarised. `summarise` is pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.errors import Invalid
from controlroom.reports.models import SurveyAnswer

__all__ = ["QUESTIONS", "SurveyService", "SurveySummary", "summarise"]

QUESTIONS = ("overall", "attitude", "quality", "punctuality")
PERIOD = re.compile(r"^\d{4}-H[12]$")
SATISFIED = 4  # 4 满意 or 5 非常满意 on the 1..5 scale


@dataclass(frozen=True)
class SurveySummary:
    period: str
    answers: int
    flats: int
    response_rate: float | None  # answers / the site's flats
    averages: dict[str, float | None]
    satisfied_share: float | None  # overall >= SATISFIED
    comments: tuple[str, ...]


def summarise(period: str, rows: Sequence[tuple[int, int, int, int, str]], flats: int
              ) -> SurveySummary:
    """rows: (overall, attitude, quality, punctuality, comment) per answering flat."""
    n = len(rows)
    scores = [r[:4] for r in rows]
    averages = {q: (round(sum(int(x[i]) for x in scores) / n, 2) if n else None)
                for i, q in enumerate(QUESTIONS)}
    return SurveySummary(
        period=period, answers=n, flats=flats,
        response_rate=n / flats if flats else None, averages=averages,
        satisfied_share=sum(r[0] >= SATISFIED for r in rows) / n if n else None,
        comments=tuple(r[4] for r in rows if r[4].strip()))


class SurveyService:
    def __init__(self, sessions: sessionmaker, site: Site,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.now = now

    def record(self, actor: str, period: str, unit: str, scores: dict[str, int],
               comment: str = "") -> SurveyAnswer:
        if not PERIOD.match(period):
            raise Invalid("period: YYYY-H1 or YYYY-H2", code="invalid")
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r} at this site", code="unknown_unit")
        now = self.now()
        with self.sessions.begin() as s:
            row = s.scalar(select(SurveyAnswer).where(SurveyAnswer.period == period,
                                                      SurveyAnswer.unit == unit))
            if row is None:
                row = SurveyAnswer(period=period, unit=unit, recorded_by=actor, recorded_at=now)
                s.add(row)
            for q in QUESTIONS:
                setattr(row, q, scores[q])
            row.comment, row.recorded_by, row.recorded_at = comment, actor, now
            s.flush()
            audit(s, now, actor, "survey.record", f"survey:{period}:{unit}", "")
            return row

    def summary(self, period: str) -> SurveySummary:
        if not PERIOD.match(period):
            raise Invalid("period: YYYY-H1 or YYYY-H2", code="invalid")
        with self.sessions() as s:
            rows = [(a.overall, a.attitude, a.quality, a.punctuality, a.comment)
                    for a in s.scalars(select(SurveyAnswer).where(SurveyAnswer.period == period))]
        return summarise(period, rows, len(self.site.units))
