"""What a lobby kiosk is configured with (`GET /api/kiosk/config`), and its version (carried by
`GET /api/kiosk/info`, so a running kiosk notices a new site file): plain functions of the
site, no I/O. The promise words are worded from the site's SLA numbers."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from config import Kiosk, Site, SlaSettings

__all__ = ["SLA_FIELDS", "config_of", "config_version", "promises"]

# The SLA numbers a kiosk is told (the route's SlaPublic has the same fields).
SLA_FIELDS = ("respond_min", "repair_on_site_min", "urgent_repair_on_site_min",
              "complaint_on_site_min", "complaint_feedback_h", "complaint_resolve_h",
              "serious_complaint_resolve_working_days")


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
        "sla": {k: getattr(sla, k) for k in SLA_FIELDS},
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
