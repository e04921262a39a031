"""`GET /api/kiosk/config`: everything a lobby kiosk shows that is the site's to decide — the
site's and the kiosk's names, hotline, time zone, fonts, the service menus, the promises'
numbers (SLA) and their words, the request categories — so the kiosk needs only the API's
address, its id and its secret, and never the site file (which holds every resident's PIN,
card and phone, and the staff's accounts). Nothing here is about a person."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from config import Site
from controlroom.api.deps import KioskCaller
from controlroom.core.errors import Forbidden, problems
from controlroom.services.residents.kiosk_configuration import config_of
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


@router.get("/config", response_model=KioskConfig, responses=problems(401, 403))
def kiosk_config(request: Request, caller: KioskCaller) -> dict[str, Any]:
    """The calling kiosk's configuration (the kiosk's bearer token)."""
    site: Site = request.app.state.site
    kiosk = site.kiosks.get(caller.username)
    if kiosk is None:
        raise Forbidden(f"{caller.username!r} is not a kiosk of this site", code="unknown_kiosk")
    return config_of(site, kiosk) | {"version": request.app.state.kiosk_config_versions[kiosk.id]}
