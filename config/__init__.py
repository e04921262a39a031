"""The site description (TOML) and its one loader.

`load_site(path)` returns a validated, expanded `Site`; every problem is reported as a
`SiteConfigError` whose message reads `file: key: what is wrong`.
"""

from config.loader import (
    DEFAULT_SITE_PATH,
    SiteConfigError,
    load_site,
    load_site_or_exit,
)
from config.model import (
    Building,
    Category,
    Device,
    EmergencyContact,
    Kiosk,
    Menu,
    MenuItem,
    Panel,
    Plan,
    PlanStep,
    Resident,
    Site,
    SlaSettings,
    Staff,
    Unit,
)
from config.settings import Settings

__all__ = [
    "DEFAULT_SITE_PATH",
    "Building",
    "Category",
    "Device",
    "EmergencyContact",
    "Kiosk",
    "Menu",
    "MenuItem",
    "Panel",
    "Plan",
    "PlanStep",
    "Resident",
    "Settings",
    "Site",
    "SiteConfigError",
    "SlaSettings",
    "Staff",
    "Unit",
    "load_site",
    "load_site_or_exit",
]
