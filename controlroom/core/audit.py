"""The audit log every domain writes to: who did what to which thing, and when. Written in the
caller's transaction, so a change and its audit entry commit (or roll back) together; read
with `search` (the console's audit page)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from controlroom.core.models import AuditEntry

__all__ = ["audit", "search"]


def audit(s: Session, at: datetime, actor: str, action: str, target: str, detail: str) -> None:
    s.add(AuditEntry(at=at, actor=actor, action=action, target=target, detail=detail))


def search(s: Session, actor: str | None = None, target: str | None = None,
           action: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 200) -> list[AuditEntry]:
    """Entries newest first. `actor` and `action` match exactly; `target` exactly, or as a
    prefix when it ends with ':' (``alert:`` is every alert); [since, until)."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if target:
        stmt = stmt.where(AuditEntry.target.startswith(target, autoescape=True)
                          if target.endswith(":") else AuditEntry.target == target)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    return list(s.scalars(stmt.limit(limit)))
