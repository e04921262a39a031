"""Codes as a Chinese keyboard types them, folded to the form the control room keeps.

A flat typed in full-width mode arrives as "１－２－１５０２" or "1－2－1502", with Chinese
punctuation on as "1——2——1502" (Shift and minus give two em dashes); a shelf may be "Ａ区03".
`fold_code` gives "1-2-1502" and "A区03": Unicode NFKC (full-width letters, digits and spaces
to their ASCII forms), every dash-like character to ASCII "-", a run of dashes to one, and no
space at either end. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["DASHES", "fold_code", "fold_input"]

# Hyphens, dashes and minus signs (after NFKC, which already folds U+FF0D and U+FE63).
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58"
_TO_HYPHEN = str.maketrans(dict.fromkeys(DASHES, "-"))
_RUN = re.compile(r"-{2,}")


def fold_code(text: str) -> str:
    """"１－２－１５０２ " -> "1-2-1502"; "Ａ区03" -> "A区03"."""
    text = unicodedata.normalize("NFKC", text).translate(_TO_HYPHEN)
    return _RUN.sub("-", text).strip()


def fold_input(value: Any) -> Any:
    """For pydantic's BeforeValidator: fold a string, leave anything else to the type check."""
    return fold_code(value) if isinstance(value, str) else value
