"""The quarantine, inspectable (ARCHITECTURE §4 "kept in a bounded quarantine for
inspection"): the gateway posts what it rejected, the control room keeps the last `KEEP` per
reason and shows them to maintenance. Payloads arrive as base64 of their first 1 KiB and are
stored escaped (`escape`), so a hostile payload is shown as text, never interpreted."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from controlroom.alarms.models import QuarantineEntry
from controlroom.core.errors import Invalid

KEEP = 20  # entries kept per reason
CUT = 1024  # bytes of a payload shown
_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(data: bytes) -> str:
    """Printable text of any bytes: valid UTF-8 printable characters as they are, everything
    else as a Python-style escape (`\\x00`, `\\n`, `\\\\`)."""
    out = []
    for ch in data.decode("utf-8", errors="surrogateescape"):
        if "\udc80" <= ch <= "\udcff":  # a byte that is not UTF-8
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def decode_payload(b64: str) -> bytes:
    try:
        return base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("payload_b64 is not base64") from None


class QuarantineService:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def add(self, gateway: str, entries: Sequence[dict[str, object]]) -> int:
        """Store `entries` (at, reason, source, device, detail, payload bytes, size) and
        prune each reason touched to its last KEEP."""
        rows = [QuarantineEntry(gateway=gateway, at=e["at"], reason=str(e["reason"])[:64],
                                source=str(e["source"])[:300],
                                device=(str(e["device"])[:64] if e.get("device") else None),
                                detail=str(e["detail"])[:2000],
                                payload=escape(bytes(e["payload"])[:CUT]),  # type: ignore[call-overload]
                                size=int(e["size"]))  # type: ignore[call-overload]
                for e in entries]
        with self.sessions.begin() as s:
            s.add_all(rows)
            s.flush()
            for reason in {r.reason for r in rows}:
                keep = select(QuarantineEntry.id).where(QuarantineEntry.reason == reason) \
                    .order_by(QuarantineEntry.at.desc(), QuarantineEntry.id.desc()).limit(KEEP)
                s.execute(delete(QuarantineEntry).where(QuarantineEntry.reason == reason,
                                                        QuarantineEntry.id.not_in(keep)))
        return len(rows)

    def list(self, reason: str | None = None) -> list[QuarantineEntry]:
        q = select(QuarantineEntry).order_by(QuarantineEntry.reason, QuarantineEntry.at.desc(),
                                             QuarantineEntry.id.desc())
        if reason is not None:
            q = q.where(QuarantineEntry.reason == reason)
        with self.sessions() as s:
            return list(s.scalars(q).all())

    def counts(self) -> dict[str, int]:
        with self.sessions() as s:
            return dict(s.execute(select(QuarantineEntry.reason, func.count())  # type: ignore[arg-type]
                                  .group_by(QuarantineEntry.reason)).all())

    def oldest(self) -> datetime | None:
        with self.sessions() as s:
            return s.scalar(select(func.min(QuarantineEntry.at)))
