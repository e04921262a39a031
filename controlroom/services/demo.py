"""The demo's data: fee statements for the demo flats and two notices, when there are none
yet, so the kiosk has something to show. Amounts are made up; periods are the last two
months. `create_app` seeds them at start unless BUTLER_DEMO_DATA=0."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from config import Site
from controlroom.services.fees.service import FeeService
from controlroom.services.notices.service import NoticeService

__all__ = ["seed_demo"]


def _month(d: date, back: int) -> date:
    y, m = d.year, d.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def seed_demo(site: Site, fees: FeeService, notices: NoticeService, now: datetime) -> None:
    if not fees.has_any():
        _seed_fees(site, fees)
    if not notices.all():
        _seed_notices(site, notices, now)


def _seed_fees(site: Site, fees: FeeService) -> None:
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


def _seed_notices(site: Site, notices: NoticeService, now: datetime) -> None:
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
