"""The expanded site as plain frozen dataclasses: what the programs use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Building:
    id: str
    name_zh: str
    name_en: str
    entrances: int
    floors: int
    flats_per_floor: int


@dataclass(frozen=True)
class Unit:
    id: str  # building-entrance-floorflat, e.g. "1-2-1502"
    building: str
    entrance: int
    floor: int
    flat: int


@dataclass(frozen=True)
class Device:
    id: str
    unit: str
    building: str
    kind: str  # "gas_detector" | "panic_button"
    supervision_interval_s: int


@dataclass(frozen=True)
class Panel:
    id: str
    building: str
    account: str
    port: str
    zones: dict[str, str]  # Contact ID zone -> unit id
    test_report_interval_s: int
    key: str | None = None  # DC-09 AES key (16, 24 or 32 characters) for encrypted IP messages


@dataclass(frozen=True)
class Staff:
    username: str
    name: str
    role: str
    password: str  # plain text from the site file (demo only); "" when it has a hash
    butler_for: tuple[str, ...] = ()  # building ids whose requests this person owns
    password_hash: str = ""  # argon2, the site file's `password_hash`


@dataclass(frozen=True)
class Kiosk:
    id: str
    building: str
    name_zh: str
    name_en: str
    password: str  # as Staff's
    password_hash: str = ""


@dataclass(frozen=True)
class MenuItem:
    id: str
    name_zh: str
    name_en: str
    department: str
    sla: str
    price: float | None
    quote: bool

    @property
    def free(self) -> bool:
        return self.price is None and not self.quote


@dataclass(frozen=True)
class Menu:
    id: str
    name_zh: str
    name_en: str
    note_zh: str
    note_en: str
    items: tuple[MenuItem, ...]


@dataclass(frozen=True)
class PlanStep:
    zh: str
    en: str


@dataclass(frozen=True)
class Plan:
    kind: str  # the alert kind it is for
    steps: tuple[PlanStep, ...]


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    phone: str
    relation: str


@dataclass(frozen=True)
class Resident:
    unit: str
    name: str
    phone: str
    elderly_alone: bool
    emergency_contacts: tuple[EmergencyContact, ...]
    pin: str | None = None
    card: str | None = None
    language: str = "zh"  # of the text messages the resident gets (zh or en)


@dataclass(frozen=True)
class Retention:
    """How long old rows are kept, in days (0: for ever); the site file's [retention]."""

    ingest_keys_days: float = 30
    history_days: float = 730
    audit_days: float = 0
    sweep_s: float = 3600


@dataclass(frozen=True)
class SlaSettings:
    """The promises' lengths (DOMAIN.md defaults) and the working-day calendar's exceptions."""

    respond_min: float = 10
    repair_on_site_min: float = 15
    urgent_repair_on_site_min: float = 30
    complaint_on_site_min: float = 60
    complaint_feedback_h: float = 24
    complaint_resolve_h: float = 8
    serious_complaint_resolve_working_days: int = 5
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Category:
    id: str
    name_zh: str
    name_en: str
    urgent: bool = False


@dataclass(frozen=True)
class NotifySite:
    """The site file's `[notify]` section (ARCHITECTURE §10); the environment may override
    the roles' URLs and the SMS gateway (config/settings.py)."""

    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sms_url: str | None = None
    quiet_hours: str = ""
    rate_per_hour: int = 10


@dataclass(frozen=True)
class Site:
    id: str
    name_zh: str
    name_en: str
    hotline: str
    timezone: str
    path: str
    mqtt_url: str
    api_url: str
    db_url: str
    token_minutes: int
    gateway_username: str
    supervision_interval_s: int
    gateway_metrics_port: int
    auto_valve_close: bool
    kiosk_fonts: tuple[str, ...]
    buildings: dict[str, Building]
    units: dict[str, Unit]
    devices: dict[str, Device]
    panels: dict[str, Panel]
    staff: dict[str, Staff]
    kiosks: dict[str, Kiosk]
    menus: tuple[Menu, ...] = field(default_factory=tuple)
    plans: dict[str, Plan] = field(default_factory=dict)  # alert kind -> its action plan
    residents: tuple[Resident, ...] = field(default_factory=tuple)
    sla: SlaSettings = field(default_factory=SlaSettings)
    repair_categories: tuple[Category, ...] = ()
    complaint_categories: tuple[Category, ...] = ()
    notify: NotifySite = field(default_factory=lambda: NotifySite())
    retention: Retention = field(default_factory=Retention)
    kiosk_heartbeat_s: float = 30

    def staff_password(self, username: str) -> str:
        return self.staff[username].password

    def residents_of(self, unit: str) -> tuple[Resident, ...]:
        return tuple(r for r in self.residents if r.unit == unit)

    def butler_of(self, building: str) -> Staff | None:
        """The butler (客户经理) who owns the requests of a building's residents, if any."""
        return next((s for s in self.staff.values() if building in s.butler_for), None)
