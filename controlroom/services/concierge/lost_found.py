"""Lost and found (seeds 002, 004): a found item is recorded with where it was found, by whom,
a photo and its storage place; it goes back only to someone who shows ID, whose number is
recorded (shown masked). Every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.db import get_or_not_found
from controlroom.core.errors import Gone, Invalid, NotFound
from controlroom.services.concierge.models import FoundItem

__all__ = ["MAX_PHOTO", "PHOTO_TYPES", "LostFoundService"]

MAX_PHOTO = 5 * 1024 * 1024  # a phone photo, resized or not
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"RIFF": "image/webp"}


def photo_type(data: bytes) -> str:
    """The photo's type from its first bytes (not from what the browser claims)."""
    for magic, kind in PHOTO_TYPES.items():
        if data.startswith(magic):
            return kind
    raise Invalid("photo: a JPEG, PNG or WebP image is needed", code="invalid")


class LostFoundService:
    def __init__(self, sessions: sessionmaker, now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.now = now

    def record(self, actor: str, description: str, place: str, found_by: str,
               storage: str = "", found_at: datetime | None = None,
               photo: bytes | None = None) -> FoundItem:
        if not description.strip() or not place.strip():
            raise Invalid("description and place: say what was found and where",
                          code="invalid")
        kind = None
        if photo:
            if len(photo) > MAX_PHOTO:
                raise Invalid("photo: larger than 5 MB", code="invalid")
            kind = photo_type(photo)
        now = self.now()
        with self.sessions.begin() as s:
            item = FoundItem(description=description.strip(), place=place.strip(),
                             found_at=found_at or now, found_by=found_by.strip() or actor,
                             recorded_by=actor, storage=storage.strip(), photo=photo or None,
                             photo_type=kind, state="held")
            s.add(item)
            s.flush()
            audit(s, now, actor, "found.record", f"found:{item.id}",
                  f"{item.description} found at {item.place}")
            return item

    def items(self, state: str | None = "held") -> list[FoundItem]:
        stmt = select(FoundItem).order_by(FoundItem.found_at.desc()).limit(500)
        if state:
            stmt = stmt.where(FoundItem.state == state)
        with self.sessions() as s:
            return list(s.scalars(stmt))

    def get(self, item_id: int) -> FoundItem:
        with self.sessions() as s:
            return get_or_not_found(s, FoundItem, item_id, "found item")

    def photo(self, item_id: int) -> tuple[bytes, str]:
        with self.sessions() as s:
            item = s.get(FoundItem, item_id)
            if item is None or item.photo is None:
                raise NotFound(f"no photo of found item {item_id}", code="not_found")
            return item.photo, item.photo_type or "application/octet-stream"

    def claim(self, actor: str, item_id: int, claimant: str, id_number: str,
              unit: str | None = None) -> FoundItem:
        """Hand the item over to `claimant`, who showed the ID `id_number`."""
        if not claimant.strip():
            raise Invalid("claimant: the name of who takes it", code="invalid")
        if len(id_number.strip()) < 6:
            raise Invalid("id_number: the claimant's ID number is required", code="id_required")
        now = self.now()
        with self.sessions.begin() as s:
            item = get_or_not_found(s, FoundItem, item_id, "found item", lock=True)
            if item.state != "held":
                raise Gone(f"already handed over to {item.claimant} at "
                           f"{item.claimed_at:%Y-%m-%d %H:%M}", code="claimed")
            item.state = "claimed"
            item.claimed_at = now
            item.claimant = claimant.strip()
            item.claimant_unit = unit
            item.claimant_id_number = id_number.strip()
            item.released_by = actor
            audit(s, now, actor, "found.claim", f"found:{item.id}",
                  f"handed to {item.claimant}, ID ending {item.claimant_id_number[-4:]}")
            return item
