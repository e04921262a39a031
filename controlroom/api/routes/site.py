"""What anyone may read: the service is up, and which site this is (the sign-in page)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from controlroom.core.schemas import HealthPublic, SitePublic

router = APIRouter()


@router.get("/api/health", tags=["health"], response_model=HealthPublic)
def health(request: Request) -> HealthPublic:
    return HealthPublic(status="ok", site=request.app.state.site.id)


@router.get("/api/site", tags=["site"], response_model=SitePublic)
def site_info(request: Request) -> SitePublic:
    site = request.app.state.site
    return SitePublic(id=site.id, name_zh=site.name_zh, name_en=site.name_en,
                      hotline=site.hotline, timezone=site.timezone)
