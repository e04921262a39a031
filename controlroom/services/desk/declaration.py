"""The key custody declaration's file (seed 003 L493-495: 《锁匙托管责任声明书》): a scan of the
signed paper (JPEG, PNG or PDF) or the signature drawn on the desk's screen (PNG from the
console's canvas). Pure: the console sends it as a data URL in the JSON body; this decodes it,
checks what it really is by its first bytes (not by what the browser claims) and its size.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from controlroom.core.errors import Invalid

__all__ = ["MAX_BYTES", "DeclarationFile", "decode_declaration"]

MAX_BYTES = 2 * 1024 * 1024  # a phone photo of one page, or a drawn signature, fits easily
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff",
         "application/pdf": b"%PDF-"}


@dataclass(frozen=True)
class DeclarationFile:
    kind: str  # scan | drawn
    media_type: str
    data: bytes


def _bad(msg: str) -> Invalid:
    return Invalid(f"declaration_file: {msg}", code="invalid_declaration")


def decode_declaration(kind: str, data_url: str, max_bytes: int = MAX_BYTES) -> DeclarationFile:
    """`kind` "scan" (JPEG/PNG/PDF) or "drawn" (PNG only); `data_url` "data:<type>;base64,..."."""
    if kind not in ("scan", "drawn"):
        raise _bad("declaration_kind must be scan (an uploaded scan) or drawn (signed on screen)")
    head, sep, payload = data_url.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise _bad("send the file as a data URL (data:<type>;base64,...)")
    if len(payload) > (max_bytes * 4) // 3 + 4:
        raise _bad(f"the file is larger than {max_bytes // 1024} KiB")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise _bad("the file is not valid base64") from None
    if not raw:
        raise _bad("the file is empty: scan the signed declaration or let the resident sign")
    if len(raw) > max_bytes:
        raise _bad(f"the file is larger than {max_bytes // 1024} KiB")
    media = next((m for m, magic in MAGIC.items() if raw.startswith(magic)), None)
    if media is None:
        raise _bad("only a JPEG, PNG or PDF file is accepted")
    if kind == "drawn" and media != "image/png":
        raise _bad("a signature drawn on screen is sent as PNG")
    return DeclarationFile(kind=kind, media_type=media, data=raw)
