"""Site files for tests: the demo site, and broken variants of it written to a temp dir."""

from __future__ import annotations

from pathlib import Path

from config.loader import DEFAULT_SITE_PATH

DEMO_SITE = DEFAULT_SITE_PATH


def demo_text() -> str:
    return DEMO_SITE.read_text(encoding="utf-8")


def write_site(tmp: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


# Each breaks the demo site in one way: (name, edit, the key the error must name).
BROKEN = [
    ("bad_type", lambda t: t.replace("floors = 18", 'floors = "eighteen"', 1),
     "buildings[0].floors"),
    ("unknown_unit", lambda t: t.replace('unit = "2-1-0101"', 'unit = "9-9-9999"', 1),
     "devices[0].unit"),
    ("duplicate_device", lambda t: t.replace('id = "gas-2-1-0101-kitchen2"',
                                             'id = "gas-2-1-0101"', 1),
     "devices[0].id"),
]
