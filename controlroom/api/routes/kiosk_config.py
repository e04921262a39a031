"""`GET /api/kiosk/config`: everything a lobby kiosk shows that is the site's to decide — the
site's and the kiosk's names, hotline, time zone, fonts, the service menus, the promises'
numbers (SLA) and their words, the request categories — so the kiosk needs only the API's
address, its id and its secret, and never the site file (which holds every resident's PIN,
card and phone, and the staff's accounts). Nothing here is about a person."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from config import Kiosk, Site, SlaSettings
from controlroom.api.deps import KioskCaller
from controlroom.core.errors import Forbidden, problems
from controlroom.services.residents.schemas import KioskRef, MenuPublic, SiteRef

router = APIRouter(prefix="/api/kiosk", tags=["kiosk"])


class SitePublic(SiteRef):
    hotline: str
    timezone: str


class SlaPublic(BaseModel):
    respond_min: float
    repair_on_site_min: float
    urgent_repair_on_site_min: float
    complaint_on_site_min: float
    complaint_feedback_h: float
    complaint_resolve_h: float
    serious_complaint_resolve_working_days: int


class Promise(BaseModel):
    zh: str
    en: str


class CategoryPublic(BaseModel):
    id: str
    name_zh: str
    name_en: str
    urgent: bool = False


class KioskConfig(BaseModel):
    site: SitePublic
    kiosk: KioskRef
    fonts: list[str] = Field(description="font files to try, in order (Chinese glyphs)")
    menus: list[MenuPublic]
    sla: SlaPublic
    promises: dict[str, Promise] = Field(description="per SLA class: the promise's words")
    repair_categories: list[CategoryPublic]
    complaint_categories: list[CategoryPublic]
    heartbeat_s: float = Field(description="how often the kiosk reports its heartbeat "
                               "(POST /api/kiosk/heartbeat); silent for 3 periods: offline")
    version: str = Field(description="a digest of everything above; GET /api/kiosk/info "
                         "carries the current one as config_version")


def _span(minutes: float) -> tuple[str, str]:
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes / 60:g} 小时", f"{minutes / 60:g} h"
    return f"{minutes:g} 分钟", f"{minutes:g} min"


def promises(sla: SlaSettings) -> dict[str, dict[str, str]]:
    """The words of each SLA class's promise, from the site's numbers (DOMAIN.md "Promises
    to residents"; with the defaults they are the kiosk's former fixed texts)."""
    respond = _span(sla.respond_min)
    repair = _span(sla.repair_on_site_min)
    urgent = _span(sla.urgent_repair_on_site_min)
    complaint = _span(sla.complaint_on_site_min)
    return {
        "request": {"zh": f"{respond[0]}内响应", "en": f"answered within {respond[1]}"},
        "repair": {"zh": f"{repair[0]}内到场", "en": f"on site within {repair[1]}"},
        "urgent_repair": {"zh": f"{urgent[0]}内到场", "en": f"on site within {urgent[1]}"},
        "complaint": {"zh": f"{complaint[0]}内到场",
                      "en": f"staff on site within {complaint[1]}"},
        "paid": {"zh": f"{respond[0]}内响应，预约上门",
                 "en": f"answered within {respond[1]}, visit booked"},
    }


def config_of(site: Site, kiosk: Kiosk) -> dict[str, Any]:
    """The kiosk's configuration, without its version."""
    sla = site.sla
    return {
        "site": {"id": site.id, "name_zh": site.name_zh, "name_en": site.name_en,
                 "hotline": site.hotline, "timezone": site.timezone},
        "kiosk": {"id": kiosk.id, "building": kiosk.building, "name_zh": kiosk.name_zh,
                  "name_en": kiosk.name_en},
        "fonts": list(site.kiosk_fonts),
        "menus": [
            {"id": m.id, "name_zh": m.name_zh, "name_en": m.name_en, "note_zh": m.note_zh,
             "note_en": m.note_en,
             "items": [{"id": it.id, "name_zh": it.name_zh, "name_en": it.name_en,
                        "department": it.department, "sla": it.sla, "price": it.price,
                        "quote": it.quote} for it in m.items]}
            for m in site.menus],
        "sla": {k: getattr(sla, k) for k in SlaPublic.model_fields},
        "promises": promises(sla),
        "repair_categories": [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en,
                               "urgent": c.urgent} for c in site.repair_categories],
        "complaint_categories": [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en,
                                  "urgent": c.urgent} for c in site.complaint_categories],
        "heartbeat_s": site.kiosk_heartbeat_s,
    }


def config_version(site: Site, kiosk: Kiosk) -> str:
    """A digest of the kiosk's configuration: `GET /api/kiosk/info` carries it, so a running
    kiosk sees that its menus or promises changed and asks for the configuration again."""
    body = json.dumps(config_of(site, kiosk), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


@router.get("/config", response_model=KioskConfig, responses=problems(401, 403))
def kiosk_config(request: Request, caller: KioskCaller) -> dict[str, Any]:
    """The calling kiosk's configuration (the kiosk's bearer token)."""
    site: Site = request.app.state.site
    kiosk = site.kiosks.get(caller.username)
    if kiosk is None:
        raise Forbidden(f"{caller.username!r} is not a kiosk of this site", code="unknown_kiosk")
    return config_of(site, kiosk) | {"version": config_version(site, kiosk)}
