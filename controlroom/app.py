"""The FastAPI application, built from a site and settings (never at import)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from config import Settings, Site
from controlroom import desk_services
from controlroom.alarms import fanout
from controlroom.alarms.casework import CaseworkService
from controlroom.alarms.devices import DeviceService, sync_devices
from controlroom.alarms.service import AlertService, NotFound, alert_json
from controlroom.alarms.stream import Broadcaster
from controlroom.alarms.test_mode import TestModeService
from controlroom.api.routes import alerts, auth, devices, gateway, kpis, test_mode, units
from controlroom.api.routes import kiosk as kiosk_routes
from controlroom.api.routes import requests as request_routes
from controlroom.core.accounts import signing_key, sync_accounts
from controlroom.core.db import make_engine, make_sessionmaker, startup_lock
from controlroom.core.errors import ApiProblem, api_problem_handler, validation_detail
from controlroom.core.notify import LogResidentNotifier, Notifier, ResidentNotifier
from controlroom.core.schemas import HealthPublic, SitePublic
from controlroom.core.security import Passwords
from controlroom.jobs import run_every
from controlroom.migrations import migrate
from controlroom.services.requests.service import RequestService
from controlroom.services.residents.sessions import ResidentDirectory, ResidentSessionStore

WEB = Path(__file__).with_name("web")
log = logging.getLogger(__name__)


TEST_SWEEP_S = 5.0  # how late at most a test window returns its devices to service
ESCALATION_SWEEP_S = 1.0  # how late at most an unacknowledged alarm is escalated
REQUEST_SWEEP_S = 1.0  # how late at most an overdue service request is marked and escalated


def _start_jobs(app: FastAPI) -> list[asyncio.Task[None]]:
    """The control room's background sweeps, each in the one guarded loop (controlroom/jobs)."""
    alert_svc: AlertService = app.state.alerts
    requests: RequestService = app.state.requests

    async def expire_test_windows() -> None:
        closed = await asyncio.to_thread(app.state.test_mode.expire)
        await asyncio.to_thread(alert_svc.announce, [a.id for a in closed])

    async def escalate_unacknowledged() -> None:
        await asyncio.to_thread(alert_svc.escalate_due, alert_svc.now())

    async def watch_request_slas() -> None:
        await asyncio.to_thread(requests.escalate_due, requests.now())

    return [run_every(TEST_SWEEP_S, expire_test_windows, "test-window sweep"),
            run_every(ESCALATION_SWEEP_S, escalate_unacknowledged, "escalation sweep"),
            run_every(REQUEST_SWEEP_S, watch_request_slas, "request SLA sweep")]


def create_app(site: Site, settings: Settings, passwords: Passwords | None = None,
               notifier: Notifier | None = None,
               resident_notifier: ResidentNotifier | None = None) -> FastAPI:
    """`notifier` tells people by role (the supervisor on an escalation), `resident_notifier`
    tells residents (parcels, one-time codes); both log by default."""
    passwords = passwords or Passwords()
    engine = make_engine(settings.db_url)
    sessions = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with startup_lock(engine):  # replicas started together take turns
            migrate(engine)
            sync_accounts(sessions, site, passwords)
            sync_devices(sessions, site)
            app.state.token_key = signing_key(sessions, os.environ.get("BUTLER_SECRET_KEY"))
        jobs = _start_jobs(app)
        app.state.residents.prepare_in_background(app.state.token_key)  # hashes the PINs
        jobs.append(await desk_services.start(app))  # demo data, the held-item reminders job
        listener = None
        if replicated:  # the live stream across replicas: see controlroom/alarms/fanout.py
            listener = fanout.Listener(engine, broadcaster, _read_alert,
                                       app.state.alerts.changes_since)
            await listener.start()
        yield
        if listener is not None:
            await listener.stop()
        for job in jobs:
            job.cancel()
        engine.dispose()

    app = FastAPI(title="Estate Butler control room", version="0.1.0", lifespan=lifespan)
    broadcaster = Broadcaster()
    replicated = engine.dialect.name == "postgresql"
    if replicated:
        fanout.install(engine, sessions, alert_json)

    def _read_alert(alert_id: int) -> str | None:
        try:
            return alert_json(app.state.alerts.get(alert_id))
        except NotFound:
            return None

    app.state.site = site
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.passwords = passwords
    app.state.broadcaster = broadcaster
    app.state.resident_notifier = resident_notifier or LogResidentNotifier()
    app.state.test_mode = TestModeService(sessions, site)
    app.state.alerts = AlertService(
        sessions, fanout.QuietBroadcaster() if replicated else broadcaster, site,
        app.state.test_mode, notifier=notifier)
    app.state.devices = DeviceService(sessions)
    app.state.casework = CaseworkService(sessions, site, app.state.alerts)

    def clock() -> datetime:
        # The alert service's clock is the app's: tests move it (conftest `clocked_client`).
        return app.state.alerts.now()

    app.state.requests = RequestService(sessions, site, now=clock,
                                        notifier=app.state.alerts.notifier,
                                        resident_notifier=app.state.resident_notifier)
    app.state.resident_sessions = ResidentSessionStore(sessions, now=clock)
    app.state.residents = ResidentDirectory(site, passwords, sessions, now=clock)
    app.state.pin_lockout = kiosk_routes.pin_lockout()  # in memory, per process
    app.state.login_lockout = auth.login_lockout()  # staff sign-in, likewise

    @app.exception_handler(RequestValidationError)
    async def _unprocessable(_: Request, exc: RequestValidationError) -> JSONResponse:
        # One error shape everywhere: {"detail": "..."}, plus the raw errors for programs.
        return JSONResponse(
            status_code=422,
            # jsonable_encoder: pydantic's `ctx` can hold exceptions, `input` bytes.
            content=jsonable_encoder({"detail": validation_detail(exc.errors()),
                                      "errors": exc.errors()}),
        )

    app.add_exception_handler(ApiProblem, api_problem_handler)

    for module in (auth, alerts, devices, gateway, kpis, test_mode, units, kiosk_routes,
                   request_routes):
        app.include_router(module.router)
    desk_services.install(app)  # held items, keys, lending, fees, notices (+ their kiosk calls)

    @app.get("/api/health", tags=["health"], response_model=HealthPublic)
    def health() -> HealthPublic:
        return HealthPublic(status="ok", site=site.id)

    @app.get("/api/site", tags=["site"], response_model=SitePublic)
    def site_info() -> SitePublic:
        return SitePublic(id=site.id, name_zh=site.name_zh, name_en=site.name_en,
                          hotline=site.hotline, timezone=site.timezone)

    @app.get("/", include_in_schema=False)
    def console() -> FileResponse:
        return FileResponse(WEB / "index.html")

    app.mount("/static", StaticFiles(directory=WEB), name="static")
    return app
