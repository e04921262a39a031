"""The control room's own health: `/metrics` (Prometheus exposition, via prometheus_client),
`/healthz` (the process answers) and `/readyz` (the database answers and its schema is at the
migrations' head: a load balancer sends nothing to a replica that would only fail).

Request latency is measured by a plain ASGI middleware, labelled by the route's template
(`/api/alerts/{alert_id}`, never the raw path: one series per route, not per alert). What lives
in the database (open alerts by priority, escalations) is read at scrape time by a collector, so
every replica reports the estate's numbers, not only its own. Other parts add their figures with
`add_metric_source(app, fn)`: `fn()` returns prometheus_client metric families (the
notifications outbox's depth is meant to plug in here).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import sessionmaker

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MetricSource = Callable[[], Iterable[Metric]]


class _LatencyMiddleware:
    """Observe each HTTP request's duration under its route template (SSE streams included:
    their 'duration' is how long the client stayed)."""

    def __init__(self, app: Any, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.histogram.labels(scope.get("method", "GET"), template,
                                  str(status[0])).observe(time.perf_counter() - started)


class _EstateCollector(Collector):
    """Read at scrape time: open alerts by priority, escalations, SSE clients, and whatever
    other parts registered with `add_metric_source`."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterable[Metric]:
        from controlroom.alarms.models import Alert
        from controlroom.core.models import AuditEntry

        state = self.app.state
        sse = GaugeMetricFamily("butler_sse_clients",
                                "Live-board event streams open on this replica.")
        sse.add_metric([], state.broadcaster.subscribers)
        yield sse
        sessions: sessionmaker = state.sessions
        try:
            with sessions() as s:
                by_priority = dict(s.execute(
                    select(Alert.priority, func.count()).where(Alert.state != "resolved")
                    .group_by(Alert.priority)).all())
                escalations = s.scalar(select(func.count()).select_from(AuditEntry)
                                       .where(AuditEntry.action == "alert.escalate")) or 0
        except Exception as exc:  # the scrape still answers: readyz says what is wrong
            log.warning("metrics: the database did not answer: %s", exc)
            return
        alerts = GaugeMetricFamily("butler_open_alerts", "Alerts not resolved, by priority.",
                                   labels=["priority"])
        for priority in (1, 2, 3, 4):
            alerts.add_metric([str(priority)], by_priority.get(priority, 0))
        yield alerts
        esc = CounterMetricFamily("butler_escalations",
                                  "Escalations of unacknowledged alarms (estate-wide).")
        esc.add_metric([], escalations)
        yield esc
        for source in list(state.metric_sources):
            try:
                yield from source()
            except Exception:
                log.exception("metrics: a source failed")


def add_metric_source(app: FastAPI, source: MetricSource) -> None:
    """Another part's figures on /metrics: `source()` yields metric families at each scrape."""
    app.state.metric_sources.append(source)


def database_ready(engine: Engine, heads: Callable[[], set[str]]) -> str | None:
    """None when the database answers and its schema is at the migrations' head, else why
    not (one line)."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        return f"database unreachable: {type(exc).__name__}"
    want = heads()
    if current != want:
        return f"schema at {sorted(current) or 'nothing'}, migrations' head {sorted(want)}"
    return None


def install(app: FastAPI, engine: Engine) -> None:
    """Mount the middleware and the three endpoints on the app."""
    registry = CollectorRegistry(auto_describe=False)
    histogram = Histogram(
        "butler_http_request_duration_seconds", "HTTP request duration, by route template.",
        ["method", "route", "status"], registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
    registry.register(_EstateCollector(app))
    app.state.metric_sources = []
    app.add_middleware(_LatencyMiddleware, histogram=histogram)  # type: ignore[arg-type]
    cached: list[set[str]] = []

    def heads() -> set[str]:
        if not cached:
            from alembic.script import ScriptDirectory

            from controlroom.migrations import config
            cached.append(set(ScriptDirectory.from_config(config(engine)).get_heads()))
        return cached[0]

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        # The process's own (the default registry: GC, jobs' failures) then the app's.
        body = await asyncio.to_thread(
            lambda: generate_latest(REGISTRY) + generate_latest(registry))
        return Response(body, media_type=CONTENT_TYPE)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok\n")

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> PlainTextResponse:
        why = await asyncio.to_thread(database_ready, engine, heads)
        if why is None:
            return PlainTextResponse("ready\n")
        return PlainTextResponse(why + "\n", status_code=503)
