"""Which font file the kiosk renders with. Plain file checks, no Kivy."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def choose_font(candidates: Iterable[str | Path]) -> Path | None:
    """The first candidate that is an existing file, or None."""
    for candidate in candidates:
        path = Path(candidate).expanduser()
        if path.is_file():
            return path
    return None


def bold_sibling(regular: Path) -> Path | None:
    """The bold file of the same family when it sits beside the regular one
    (NotoSansCJK-Regular.ttc -> NotoSansCJK-Bold.ttc); otherwise None."""
    if "Regular" not in regular.name:
        return None
    bold = regular.with_name(regular.name.replace("Regular", "Bold"))
    return bold if bold.is_file() else None
