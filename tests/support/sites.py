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


def small_site_text(site_id: str = "testsite", floors: int = 1, flats: int = 2,
                    entrances: int = 1, interval_s: int = 60, auto_valve: bool = False) -> str:
    """A one-building site small enough that every message on the wire can be checked."""
    return f"""
[gateway]
supervision_interval_s = {interval_s}
metrics_port = 0
auto_valve_close = {"true" if auto_valve else "false"}

[site]
id = "{site_id}"
name_zh = "测试苑"
name_en = "Test Court"
hotline = "400-000-0000"

[[buildings]]
id = "1"
name_zh = "1号楼"
name_en = "Building 1"
entrances = {entrances}
floors = {floors}
flats_per_floor = {flats}

[[staff]]
username = "operator"
name = "Op"
role = "operator"
password = "operator123"

[[staff]]
username = "maintenance"
name = "Maint"
role = "maintenance"
password = "maintenance123"

[[staff]]
username = "gateway"
name = "Gateway"
role = "gateway"
password = "gateway123"
"""


def gas_burst(floors: int = 25, steps: int = 5, every_s: float = 0.5) -> str:
    """A scenario in which every gas detector of a `floors`-floor site alarms within
    (steps - 1) × every_s seconds, a band of floors at a time. The tests that kill or restart
    something "inside" a burst do it at a random moment up to 1.5 s in; all at once, the burst
    was over in under a second on a quiet machine, before the moment it was meant to straddle."""
    per = -(-floors // steps)
    return 'name = "burst"\n' + "".join(
        f'[[steps]]\nat = {every_s * i}\ndo = "gas"\nvalue = 30\n'
        f'select = {{ kind = "gas", floors = [{per * i + 1}, {min(floors, per * i + per)}] }}\n'
        for i in range(steps) if per * i < floors)
