"""The one HTTP layer: every router of the control room, in the order the OpenAPI document
lists them. `create_app` includes `router`; nothing else adds routes."""

from __future__ import annotations

from fastapi import APIRouter

from controlroom.api.routes import (
    alerts,
    audit,
    auth,
    commands,
    concierge,
    devices,
    fees,
    gateway,
    items,
    keys,
    kiosk,
    kiosk_config,
    kiosk_fleet,
    kiosk_items,
    kpis,
    notices,
    notifications,
    quarantine,
    reports,
    requests,
    residents,
    roll,
    site,
    test_mode,
    units,
    visitors,
)

router = APIRouter()
for module in (auth, alerts, devices, gateway, kpis, test_mode, units, kiosk, requests,
               items, keys, fees, notices, kiosk_items, site, kiosk_config,
               notifications, residents, reports, concierge, audit, visitors, quarantine,
               commands, roll, kiosk_fleet):
    router.include_router(module.router)
