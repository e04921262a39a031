"""Key figures for the control room's supervisors: response times per priority, counts by kind
and cause, false-alarm rates per device, the current shift's gauges and the alarm-flood meter
(ISA-18.2). The figures are defined in `controlroom.alarms.kpis`; test events never count."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import and_, or_, select

from controlroom.alarms.flood import FLOOD_THRESHOLD, FLOOD_WINDOW, flood_meter, history_start
from controlroom.alarms.kpi_schemas import FiguresPublic, KpisPublic, ShiftGaugesPublic, Targets
from controlroom.alarms.kpis import (
    TARGET_WITHIN_30S,
    TARGET_WITHIN_60S,
    AlertFacts,
    Figures,
    figures,
    shift_gauges,
    shift_window,
)
from controlroom.alarms.models import Alert
from controlroom.alarms.schemas import FloodBucket, FloodMeterPublic
from controlroom.alarms.service import AlertService
from controlroom.api.deps import AlertReader, AlertsDep
from controlroom.core.clock import as_utc
from controlroom.core.errors import Invalid, problems

router = APIRouter(prefix="/api/kpis", tags=["kpis"])
ERRORS = problems(401, 403)
RANGE_ERRORS = problems(401, 403, 422)
DEFAULT_RANGE = timedelta(days=30)
TARGETS = Targets(ack_within_30s=TARGET_WITHIN_30S, ack_within_60s=TARGET_WITHIN_60S)

Since = Annotated[datetime | None, Query(description="window start, inclusive (ISO 8601; "
                                                     "default: 30 days before `until`)")]
Until = Annotated[datetime | None, Query(description="window end, exclusive (ISO 8601; "
                                                     "default: now)")]


def load_facts(alerts: AlertService, since: datetime, until: datetime,
               backlog: bool = False) -> list[AlertFacts]:
    """The real alerts raised in [since, until), and with `backlog` also every real alert open
    and unacknowledged, whenever raised."""
    window = and_(Alert.raised_at >= since, Alert.raised_at < until)
    if backlog:
        window = or_(window, and_(Alert.state != "resolved", Alert.acknowledged_at.is_(None)))
    with alerts.sessions() as s:
        rows = s.execute(
            select(Alert.kind, Alert.priority, Alert.device, Alert.raised_at,
                   Alert.acknowledged_at, Alert.resolved_at, Alert.cause, Alert.test)
            .where(Alert.test.is_(False), window)
        ).all()
    return [AlertFacts(*row) for row in rows]


def _window(alerts: AlertService, since: datetime | None, until: datetime | None
            ) -> tuple[datetime, datetime]:
    until = as_utc(until) if until is not None else alerts.now()
    try:
        since = as_utc(since) if since is not None else until - DEFAULT_RANGE
    except OverflowError:  # `until` in the first 30 days of year 1
        raise Invalid("until: too early; give a date after 0001-02-01") from None
    if since >= until:
        raise Invalid(f"since ({since.isoformat()}) must be before until "
                      f"({until.isoformat()})")
    return since, until


def _figures(alerts: AlertService, since: datetime | None, until: datetime | None) -> Figures:
    start, end = _window(alerts, since, until)
    return figures(load_facts(alerts, start, end), start, end)


def _flood(alerts: AlertService) -> FloodMeterPublic:
    now = alerts.now()
    meter = flood_meter(alerts.raised_times(history_start(now)), now)
    return FloodMeterPublic(
        window_minutes=int(FLOOD_WINDOW.total_seconds() // 60), current=meter.current,
        flood=meter.flood, threshold=FLOOD_THRESHOLD,
        buckets=[FloodBucket(start=b.start, end=b.end, count=b.count) for b in meter.buckets],
    )


@router.get("", response_model=KpisPublic, responses=RANGE_ERRORS)
def read_kpis(alerts: AlertsDep, _: AlertReader, since: Since = None, until: Until = None
              ) -> KpisPublic:
    """Every key figure of the real alerts raised in [since, until) (default: the last 30
    days), the EN 50518 targets, and the flood meter now."""
    f = FiguresPublic.of(_figures(alerts, since, until))
    return KpisPublic(**f.model_dump(), targets=TARGETS, flood=_flood(alerts))


@router.get("/flood", response_model=FloodMeterPublic, responses=ERRORS)
def read_flood(alerts: AlertsDep, _: AlertReader) -> FloodMeterPublic:
    return _flood(alerts)


@router.get("/shift", response_model=ShiftGaugesPublic, responses=ERRORS)
def read_shift(request: Request, alerts: AlertsDep, _: AlertReader) -> ShiftGaugesPublic:
    """Live gauges: the current shift so far (shifts change at 08:00 and 20:00 site time) and
    the real alerts open and unacknowledged now."""
    tz_name: str = request.app.state.site.timezone
    now = alerts.now()
    start, end = shift_window(now, ZoneInfo(tz_name))
    gauges = shift_gauges(load_facts(alerts, start, now, backlog=True), start, end, now)
    return ShiftGaugesPublic.of(gauges, now, tz_name, TARGETS)


# -- CSV export -------------------------------------------------------------------------------

CSV_COLUMNS = ("section", "key", "count", "ack_median_s", "ack_p90_s", "ack_within_30s",
               "ack_within_60s", "resolve_median_s", "resolve_p90_s", "resolved",
               "false_alarms", "false_alarm_rate")
CSV_DOC = """One table, one header row; the `section` column says what a row is:

- `priority`: key = priority 1..4; count and the response figures (seconds; shares 0..1).
- `kind`: key = alert kind; count = alerts raised.
- `cause`: key = cause; count = resolved alerts with that cause.
- `device`: key = device id; resolved, false_alarms, false_alarm_rate; noisiest first.

Cells that do not apply, or have no value (no acknowledged alert), are empty. Numbers are
rounded to 4 decimals."""


def _cell(v: float | int | None) -> str:
    if v is None:
        return ""
    v = round(float(v), 4)
    return str(int(v)) if v.is_integer() else str(v)


def figures_csv(f: Figures) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for p in f.priorities:
        w.writerow(["priority", p.priority, p.count, *map(_cell, (
            p.ack_median_s, p.ack_p90_s, p.ack_within_30s, p.ack_within_60s,
            p.resolve_median_s, p.resolve_p90_s)), "", "", ""])
    for section, counts in (("kind", f.by_kind), ("cause", f.by_cause)):
        for key, n in counts.items():
            w.writerow([section, key, n, *[""] * 9])
    for d in f.devices:
        w.writerow(["device", d.device, "", *[""] * 6, d.resolved, d.false_alarms,
                    _cell(d.rate)])
    return out.getvalue()


def _stamp(at: datetime) -> str:
    return as_utc(at).strftime("%Y%m%dT%H%MZ")


class CsvResponse(Response):
    media_type = "text/csv"


CSV_RESPONSES = problems(401, 403, 422, json_refs=True) | {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": CSV_DOC}}


@router.get(".csv", response_class=CsvResponse, responses=CSV_RESPONSES)
def read_kpis_csv(alerts: AlertsDep, _: AlertReader, since: Since = None, until: Until = None
                  ) -> Response:
    """The figures of `GET /api/kpis` (without the flood meter) as one CSV table with a
    `section` column: see the 200 response for its layout."""
    f = _figures(alerts, since, until)
    name = f"kpis_{_stamp(f.since)}_{_stamp(f.until)}.csv"
    return CsvResponse(figures_csv(f), media_type="text/csv; charset=utf-8",
                       headers={"Content-Disposition": f'attachment; filename="{name}"'})

