"""Notices: published with a start and an expiry, site-wide or for one building; outage
notices (water, power, gas) are a kind (DOMAIN.md "The self-service terminal")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.db import get_or_not_found
from controlroom.core.errors import Invalid
from controlroom.services.notices.models import Notice

__all__ = ["KINDS", "NoticeService"]

KINDS = ("general", "water", "power", "gas")
FIELDS = ("kind", "building", "title_zh", "title_en", "body_zh", "body_en", "starts_at",
          "expires_at")


class NoticeService:
    def __init__(self, sessions: sessionmaker, site: Site,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.now = now

    def _check(self, values: dict[str, Any]) -> None:
        if values.get("kind") not in KINDS:
            raise Invalid(f"kind: one of {', '.join(KINDS)}", code="invalid")
        b = values.get("building")
        if b is not None and b not in self.site.buildings:
            raise Invalid(f"building: there is no building {b!r} "
                          f"(known: {', '.join(self.site.buildings)}); leave it empty for "
                          "a site-wide notice", code="invalid")
        if values["expires_at"] <= values["starts_at"]:
            raise Invalid("expires_at: a notice must expire after it starts", code="invalid")

    def create(self, actor: str, values: dict[str, Any]) -> Notice:
        self._check(values)
        now = self.now()
        with self.sessions.begin() as s:
            n = Notice(**{k: values.get(k) for k in FIELDS}, created_at=now, created_by=actor)
            s.add(n)
            s.flush()
            audit(s, now, actor, "notice.create", f"notice:{n.id}",
                  f"{n.kind} notice '{n.title_en}' {n.starts_at:%Y-%m-%d %H:%M} to "
                  f"{n.expires_at:%Y-%m-%d %H:%M}")
            return n

    def update(self, actor: str, notice_id: int, changes: dict[str, Any]) -> Notice:
        now = self.now()
        with self.sessions.begin() as s:
            n = get_or_not_found(s, Notice, notice_id, "notice")
            merged = {k: getattr(n, k) for k in FIELDS} | changes
            self._check(merged)
            for k, v in changes.items():
                setattr(n, k, v)
            audit(s, now, actor, "notice.update", f"notice:{n.id}",
                  f"changed {', '.join(sorted(changes)) or 'nothing'}")
            return n

    def delete(self, actor: str, notice_id: int) -> None:
        now = self.now()
        with self.sessions.begin() as s:
            n = get_or_not_found(s, Notice, notice_id, "notice")
            audit(s, now, actor, "notice.delete", f"notice:{n.id}",
                  f"withdrew '{n.title_en}'")
            s.delete(n)

    def get(self, notice_id: int) -> Notice:
        with self.sessions() as s:
            n = get_or_not_found(s, Notice, notice_id, "notice")
            return n

    def all(self, current_only: bool = False) -> list[Notice]:
        q = select(Notice).order_by(Notice.starts_at.desc(), Notice.id.desc())
        if current_only:
            now = self.now()
            q = q.where(Notice.expires_at > now)
        with self.sessions() as s:
            return list(s.scalars(q))

    def for_kiosk(self, building: str | None) -> list[Notice]:
        """In force now for a kiosk in `building` (and site-wide), newest first."""
        now = self.now()
        q = select(Notice).where(Notice.starts_at <= now, Notice.expires_at > now,
                                 or_(Notice.building.is_(None), Notice.building == building)
                                 ).order_by(Notice.starts_at.desc(), Notice.id.desc())
        with self.sessions() as s:
            return list(s.scalars(q))
