"""The one HTTP layer: every router of the control room, in the order the OpenAPI document
lists them. `create_app` includes `router`; nothing else adds routes."""

from __future__ import annotations

from fastapi import APIRouter

from controlroom.api.routes import (
    alerts,
    auth,
    devices,
    fees,
    gateway,
    items,
    keys,
    kiosk,
    kiosk_fleet,
    kiosk_items,
    kpis,
    notices,
    requests,
    site,
    test_mode,
    units,
)

router = APIRouter()
for module in (auth, alerts, devices, gateway, kpis, test_mode, units, kiosk, requests,
               items, keys, fees, notices, kiosk_items, site, kiosk_fleet):
    router.include_router(module.router)
