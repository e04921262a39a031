"""One rule for showing a person's name where others may see it (DOMAIN.md "Residents' data":
"on a public screen show names masked (张*)"). Shared by the control room (the console's
views for roles that see no personal data, the names it sends the kiosk) and the kiosk (which
masks again, so a full name can never reach the public screen). Pure, no imports.
"""

from __future__ import annotations

__all__ = ["mask_name"]


def mask_name(name: str) -> str:
    """张三丰 -> 张*, 陈桂芳 -> 陈*, Emma Wilson -> E*: the first character and one star, whatever
    the length, so the mask tells neither the given name nor how long it is. Idempotent."""
    name = name.strip()
    return f"{name[0]}*" if name else ""
