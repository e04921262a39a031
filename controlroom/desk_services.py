"""The desk's resident services wired into the app: held items, keys and lending, fees and
notices, their routes, the reminders job and the demo data.

`install(app)` (in create_app) puts the services on app.state and adds the routes;
`start(app)` (in the lifespan, after the migrations) seeds the demo data when the tables are
empty and starts the reminders job. All services read the time through the alert service's
clock (`app.state.alerts.now`), so a test that moves that clock moves them all.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from controlroom.api.routes import fees as fee_routes
from controlroom.api.routes import items as item_routes
from controlroom.api.routes import keys as key_routes
from controlroom.api.routes import kiosk_items
from controlroom.api.routes import notices as notice_routes
from controlroom.jobs import run_every
from controlroom.services.desk.custody import CustodyService
from controlroom.services.desk.held_items import HeldItemService
from controlroom.services.fees.service import FeeService
from controlroom.services.notices.service import NoticeService

__all__ = ["REMINDER_SWEEP_S", "install", "seed_demo", "start"]

log = logging.getLogger(__name__)
REMINDER_SWEEP_S = 60.0  # reminders are days apart: a minute late is nothing


class _Residents:
    """Forwards to whatever resident notifier the app has now (tests swap it)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def tell_resident(self, unit: str, phone: str, message: str) -> None:
        self.app.state.resident_notifier.tell_resident(unit, phone, message)


def install(app: FastAPI) -> None:
    site, sessions = app.state.site, app.state.sessions

    def now() -> datetime:
        return app.state.alerts.now()

    def today() -> date:
        return now().astimezone(ZoneInfo(site.timezone)).date()

    def notify_role(role: str, subject: str, body: str) -> None:
        app.state.alerts.notifier.notify(role, subject, body)

    items = HeldItemService(sessions, site, _Residents(app), notify_role, now)
    app.state.items = items
    app.state.pickup_lockout = items.lockout
    app.state.custody = CustodyService(sessions, site, now)
    app.state.fees = FeeService(sessions, site, today, now)
    app.state.notices = NoticeService(sessions, site, now)

    def account_summary(unit: str) -> dict[str, Any]:
        """For GET /api/kiosk/me: the flat's balance, arrears and items waiting."""
        acc = app.state.fees.statement_of(unit)
        return {"balance": acc["balance"], "arrears": acc["arrears"],
                "held_items": items.count_open(unit)}

    app.state.account_summary = account_summary
    for module in (item_routes, key_routes, fee_routes, notice_routes, kiosk_items):
        app.include_router(module.router)


async def start(app: FastAPI) -> asyncio.Task[None]:
    if os.environ.get("BUTLER_DEMO_DATA", "1") != "0":
        await asyncio.to_thread(seed_demo, app)

    async def remind() -> None:
        await asyncio.to_thread(app.state.items.sweep)

    return run_every(REMINDER_SWEEP_S, remind, "reminder sweep")


def _month(d: date, back: int) -> date:
    y, m = d.year, d.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def seed_demo(app: FastAPI) -> None:
    """Fee statements for the demo flats and two notices, when there are none yet, so the
    kiosk has something to show. Amounts are made up; periods are the last two months."""
    site, fees, notices = app.state.site, app.state.fees, app.state.notices
    now: datetime = app.state.alerts.now()
    if not fees.has_any():
        today = fees.today()
        units = sorted({r.unit for r in site.residents if r.unit in site.units})
        for n, unit in enumerate(units):
            for back in (2, 1):
                first = _month(today, back)
                due = _month(today, back - 1) + timedelta(days=14)
                fees.add_statement("system", unit, f"{first:%Y-%m}", due, [
                    {"label_zh": "物业管理费", "label_en": "Property management fee",
                     "amount": 252.0},
                    {"label_zh": "公共水电分摊", "label_en": "Shared water and power",
                     "amount": 38.5 + n * 3},
                ])
            # The first flat has paid nothing (arrears to show); the others paid the older.
            if n:
                fees.record_payment("system", unit, 290.5 + n * 3, "wechat", "demo")
    if not notices.all():
        building = next(iter(site.buildings))
        notices.create("system", {
            "kind": "water", "building": building,
            "title_zh": f"{building}号楼计划停水通知", "title_en": f"Building {building}: "
            "planned water outage",
            "body_zh": "因二次供水水箱清洗，明日 09:00–15:00 停水，请提前储水。",
            "body_en": "The water tanks are being cleaned: no water tomorrow 09:00-15:00. "
                       "Please store some water beforehand.",
            "starts_at": now - timedelta(hours=1), "expires_at": now + timedelta(days=2)})
        notices.create("system", {
            "kind": "general", "building": None,
            "title_zh": "物业服务收费标准公示", "title_en": "Published service fees",
            "body_zh": "本小区物业服务收费标准已在服务中心公示，明码标价，欢迎查阅。",
            "body_en": "The estate's service fees are published at the service centre; "
                       "every price is shown.",
            "starts_at": now - timedelta(days=1), "expires_at": now + timedelta(days=30)})
