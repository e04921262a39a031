"""The audit log every domain writes to: who did what to which thing, and when. Written in the
caller's transaction, so a change and its audit entry commit (or roll back) together."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from controlroom.core.models import AuditEntry

__all__ = ["audit"]


def audit(s: Session, at: datetime, actor: str, action: str, target: str, detail: str) -> None:
    s.add(AuditEntry(at=at, actor=actor, action=action, target=target, detail=detail))
