"""The FastAPI application, built from a site and settings (never at import).

`create_app` is the one place that wires the house together: it builds the engine and every
domain's services (on `app.state`), includes the one HTTP layer (`controlroom/api/main.py`),
installs the error handlers, starts the background jobs and serves the console's files.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from config import Resident, Settings, Site
from controlroom import retention
from controlroom.alarms import fanout
from controlroom.alarms.casework import CaseworkService
from controlroom.alarms.devices import DeviceService, sync_devices
from controlroom.alarms.intake import alert_json
from controlroom.alarms.kiosk_fleet import KioskFleet
from controlroom.alarms.service import AlertService, NotFound
from controlroom.alarms.stream import Broadcaster
from controlroom.alarms.test_mode import TestModeService
from controlroom.api.main import router as api_router
from controlroom.core.accounts import login_lockout, signing_key, sync_accounts
from controlroom.core.clock import utcnow
from controlroom.core.db import make_engine, make_sessionmaker, startup_lock
from controlroom.core.errors import DomainError, domain_error_handler, validation_detail
from controlroom.core.notify import Notifier, ResidentMessage, ResidentNotifier
from controlroom.core.notify_rules import QuietHours
from controlroom.core.outbox import NotifyConfig, Outbox
from controlroom.core.security import Passwords
from controlroom.jobs import run_every
from controlroom.migrations import migrate
from controlroom.observability import add_metric_source
from controlroom.observability import install as install_observability
from controlroom.reports.service import ReportService
from controlroom.reports.survey import SurveyService
from controlroom.services.concierge.bookings import BookingService
from controlroom.services.concierge.lost_found import LostFoundService
from controlroom.services.concierge.visitors import VisitorService
from controlroom.services.concierge.wakeup import WakeupService
from controlroom.services.demo import seed_demo
from controlroom.services.desk.custody import CustodyService
from controlroom.services.desk.held_items import HeldItemService
from controlroom.services.fees.charges import OrderCharges
from controlroom.services.fees.service import FeeService
from controlroom.services.notices.service import NoticeService
from controlroom.services.requests.service import RequestService
from controlroom.services.residents.kiosk_configuration import config_version
from controlroom.services.residents.register import (
    RegisterService,
    as_resident,
    seed_from_site,
)
from controlroom.services.residents.sessions import (
    ResidentDirectory,
    ResidentSessionStore,
    card_lockout,
    pin_lockout,
)

WEB = Path(__file__).with_name("web")
# The console page's Content-Security-Policy: scripts and styles only from its own files (no
# inline script, no inline style attribute; the favicon is a data: URL). Only on the console
# page: /docs (Swagger UI: inline script, a CDN) is left as FastAPI serves it.
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
log = logging.getLogger(__name__)


TEST_SWEEP_S = 5.0  # how late at most a test window returns its devices to service
ESCALATION_SWEEP_S = 1.0  # how late at most an unacknowledged alarm is escalated
REQUEST_SWEEP_S = 1.0  # how late at most an overdue service request is marked and escalated
KIOSK_SWEEP_S = 5.0  # how late at most a silent kiosk is noticed (past its window)
REMINDER_SWEEP_S = 60.0  # held-item reminders are days apart: a minute late is nothing
# The outbox sends on every commit that records a message (a nudge); this sweep is for
# retries, held messages and what another replica recorded.
OUTBOX_SWEEP_S = 1.0
OFFLINE_SUMMARY_S = 60.0  # devices gone silent, summed up for maintenance once a minute
WAKEUP_SWEEP_S = 5.0  # a wake-up call due is on the desk's list within seconds


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

    async def remind() -> None:
        await asyncio.to_thread(app.state.items.sweep)

    async def send_notifications() -> None:
        await asyncio.to_thread(app.state.outbox.deliver_due)

    async def sum_up_offline() -> None:
        await asyncio.to_thread(alert_svc.summarize_offline, alert_svc.now())

    async def wake_up_calls() -> None:
        await asyncio.to_thread(app.state.wakeups.sweep)

    async def watch_kiosks() -> None:
        await asyncio.to_thread(app.state.kiosk_fleet.sweep)

    async def retain() -> None:
        policy = app.state.site.retention
        await asyncio.to_thread(retention.sweep, app.state.sessions, policy, app.state.clock())
        app.state.retention_runs += 1

    loop, wake = asyncio.get_running_loop(), asyncio.Event()
    app.state.outbox.wake = lambda: loop.call_soon_threadsafe(wake.set)
    return [run_every(TEST_SWEEP_S, expire_test_windows, "test-window sweep"),
            run_every(ESCALATION_SWEEP_S, escalate_unacknowledged, "escalation sweep"),
            run_every(REQUEST_SWEEP_S, watch_request_slas, "request SLA sweep"),
            run_every(REMINDER_SWEEP_S, remind, "reminder sweep"),
            run_every(OUTBOX_SWEEP_S, send_notifications, "notification outbox",
                      first_delay_s=0.0, wake=wake),
            run_every(OFFLINE_SUMMARY_S, sum_up_offline, "offline summary"),
            run_every(WAKEUP_SWEEP_S, wake_up_calls, "wake-up call sweep"),
            run_every(app.state.site.retention.sweep_s, retain, "retention sweep"),
            run_every(min(KIOSK_SWEEP_S, app.state.site.kiosk_heartbeat_s / 2), watch_kiosks,
                      "kiosk heartbeat sweep")]


class _Residents:
    """Forwards to whatever resident notifier the app has now (tests swap it)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def tell_resident(self, message: ResidentMessage, session: Session | None = None
                      ) -> str | None:
        result: str | None = self.app.state.resident_notifier.tell_resident(message, session)
        return result


def _alarm_services(app: FastAPI, sessions: sessionmaker, replicated: bool,
                    notifier: Notifier | None) -> None:
    site, state = app.state.site, app.state
    state.test_mode = TestModeService(sessions, site, state.clock)
    state.alerts = AlertService(
        sessions, fanout.QuietBroadcaster() if replicated else state.broadcaster, site,
        state.test_mode, now=state.clock, notifier=notifier)
    state.devices = DeviceService(sessions)
    state.casework = CaseworkService(sessions, site, state.alerts)
    state.kiosk_fleet = KioskFleet(sessions, site, state.alerts, state.clock)


def _resident_services(app: FastAPI, sessions: sessionmaker, passwords: Passwords) -> None:
    """Requests, residents and the desk, on the app's one clock (`app.state.clock`)."""
    site, state = app.state.site, app.state
    now: Callable[[], datetime] = state.clock

    def today() -> date:
        return now().astimezone(ZoneInfo(site.timezone)).date()

    def notify_role(role: str, subject: str, body: str, **kw: Any) -> None:
        state.alerts.notifier.notify(role, subject, body, **kw)

    def residents_of(unit: str) -> list[Resident]:
        # The desk's register: who lives in the flat now (services/residents/register.py).
        return [as_resident(r) for r in state.register.living(unit)]

    state.requests = RequestService(sessions, site, now=now, notifier=state.alerts.notifier,
                                    resident_notifier=state.resident_notifier,
                                    residents_of=residents_of)
    state.resident_sessions = ResidentSessionStore(sessions, now=now)
    state.residents = ResidentDirectory(site, passwords, sessions, now=now)
    state.register = RegisterService(sessions, site, passwords, lambda: state.token_key,
                                     today, now)
    # Wrong PINs, codes and passwords are counted in the database, across replicas.
    state.pin_lockout = pin_lockout(sessions)
    state.card_lockout = card_lockout(sessions)
    state.login_lockout = login_lockout(sessions)
    state.items = HeldItemService(sessions, site, _Residents(app), notify_role, now,
                                  residents_of=residents_of)
    state.pickup_lockout = state.items.lockout
    state.custody = CustodyService(sessions, site, now)
    state.fees = FeeService(sessions, site, today, now)
    # A fixed-price order is charged to the flat, in step with its request.
    state.requests.watch(OrderCharges(site).request_step)
    state.notices = NoticeService(sessions, site, now)
    state.reports = ReportService(sessions, site, now)
    state.surveys = SurveyService(sessions, site, now)
    state.lost_found = LostFoundService(sessions, now)
    state.bookings = BookingService(sessions, site, now)
    state.visitors = VisitorService(sessions, site, now)

    def phone_of(unit: str) -> str:
        resident = state.residents.first_of(unit)
        return resident.phone if resident else ""

    state.wakeups = WakeupService(sessions, site, lambda: state.alerts.notifier, phone_of, now)

    def account_summary(unit: str) -> dict[str, Any]:
        """For GET /api/kiosk/me: the flat's balance, arrears and items waiting."""
        acc = state.fees.statement_of(unit)
        return {"balance": acc["balance"], "arrears": acc["arrears"],
                "held_items": state.items.count_open(unit)}

    state.account_summary = account_summary


def _notify_config(site: Site, settings: Settings) -> NotifyConfig:
    """The site file's `[notify]` with the environment's overrides (ARCHITECTURE §10)."""
    return NotifyConfig(roles={**site.notify.roles, **dict(settings.notify_roles)},
                        sms_url=settings.sms_url or site.notify.sms_url,
                        quiet_hours=QuietHours.parse(site.notify.quiet_hours),
                        rate_per_hour=site.notify.rate_per_hour, timezone=site.timezone)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _unprocessable(_: Request, exc: RequestValidationError) -> JSONResponse:
        # One error shape everywhere: {"detail": "..."}, plus the raw errors for programs.
        return JSONResponse(
            status_code=422,
            # jsonable_encoder: pydantic's `ctx` can hold exceptions, `input` bytes.
            content=jsonable_encoder({"detail": validation_detail(exc.errors()),
                                      "errors": exc.errors()}),
        )

    app.add_exception_handler(DomainError, domain_error_handler)  # every service refusal


def create_app(site: Site, settings: Settings, passwords: Passwords | None = None,
               notifier: Notifier | None = None,
               resident_notifier: ResidentNotifier | None = None,
               clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """`notifier` tells people by role (the supervisor on an escalation), `resident_notifier`
    tells residents (parcels, one-time codes); both are the durable outbox by default
    (`app.state.outbox`, ARCHITECTURE §10). `clock` is the one time
    every service reads (tests pass a hand clock; routes read it as `app.state.alerts.now`)."""
    passwords = passwords or Passwords()
    engine = make_engine(settings.db_url)
    sessions = make_sessionmaker(engine)
    replicated = engine.dialect.name == "postgresql"

    def _read_alert(alert_id: int) -> str | None:
        try:
            return alert_json(app.state.alerts.get(alert_id))
        except NotFound:
            return None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with startup_lock(engine):  # replicas started together take turns
            migrate(engine)
            sync_accounts(sessions, site, passwords)
            sync_devices(sessions, site)
            app.state.token_key = signing_key(sessions, settings.secret_key)
            seed_from_site(sessions, site, passwords, app.state.register.today())
        app.state.residents.prepare_in_background(app.state.token_key)  # hashes the PINs
        if settings.demo and settings.demo_data:  # demo data only ever in demo mode
            await asyncio.to_thread(seed_demo, site, app.state.fees, app.state.notices,
                                    clock())
        jobs = _start_jobs(app)
        listener = None
        if replicated:  # the live stream across replicas: see controlroom/alarms/fanout.py
            listener = fanout.Listener(engine, app.state.broadcaster, _read_alert,
                                       app.state.alerts.changes_since)
            await listener.start()
        yield
        if listener is not None:
            await listener.stop()
        for job in jobs:
            job.cancel()
        engine.dispose()

    app = FastAPI(title="Estate Butler control room", version="0.1.0", lifespan=lifespan)
    if replicated:
        fanout.install(engine, sessions, alert_json)
    app.state.site = site
    # The site does not change while the process runs: each kiosk's configuration version
    # (GET /api/kiosk/info, polled every 10 s by every kiosk) is worked out once.
    app.state.kiosk_config_versions = {k.id: config_version(site, k)
                                       for k in site.kiosks.values()}
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.passwords = passwords
    app.state.clock = clock
    app.state.retention_runs = 0  # sweeps done (tests wait on it)
    app.state.broadcaster = Broadcaster()
    app.state.outbox = Outbox(sessions, _notify_config(site, settings), clock)
    app.state.resident_notifier = resident_notifier or app.state.outbox
    _alarm_services(app, sessions, replicated, notifier or app.state.outbox)
    _resident_services(app, sessions, passwords)
    _error_handlers(app)
    install_observability(app, engine)  # /metrics, /healthz, /readyz
    add_metric_source(app, app.state.kiosk_fleet.metric_families)
    add_metric_source(app, app.state.outbox.metric_families)
    app.include_router(api_router)

    @app.get("/", include_in_schema=False)
    def console() -> FileResponse:
        return FileResponse(WEB / "index.html", headers={"Content-Security-Policy": CONSOLE_CSP})

    app.mount("/static", StaticFiles(directory=WEB), name="static")
    return app
