"""The shape of a site file, as pydantic models. Field-level checks only; the checks that
need the whole file (unknown units, duplicate ids) are in loader.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# Device and site ids appear in MQTT topics: ARCHITECTURE §4 allows [A-Za-z0-9_-]{1,64}.
TopicId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Role = Literal["operator", "supervisor", "frontdesk", "maintenance", "admin", "gateway", "kiosk"]
DeviceKind = Literal["gas_detector", "panic_button"]
SlaClass = Literal["request", "repair", "urgent_repair", "complaint", "paid"]
# The alert kinds of ARCHITECTURE §6: an action plan is for one of them.
AlertKind = Literal[
    "gas_alarm", "panic", "medical", "fire", "incident", "gas_prealarm", "device_offline",
    "panel_offline", "fault", "tamper", "power_loss", "battery_low",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# An account's stored password: an argon2 hash (`python -m controlroom users hash`).
PasswordHash = Annotated[str, StringConstraints(pattern=r"^\$argon2(id|i|d)\$\S+$")]


class Credential(Strict):
    """An account's password in the site file: `password` (plain text, demo mode only) or
    `password_hash` (argon2, what a production site file carries), exactly one."""

    password: str | None = Field(default=None, min_length=6)
    password_hash: PasswordHash | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Credential:
        if (self.password is None) == (self.password_hash is None):
            raise ValueError("give exactly one of password (demo only) and password_hash")
        return self


class SiteSection(Strict):
    id: TopicId
    name_zh: str
    name_en: str
    hotline: str
    timezone: str = "Asia/Shanghai"


class MqttSection(Strict):
    url: str = "mqtt://127.0.0.1:18830"


class ControlroomSection(Strict):
    url: str = "http://127.0.0.1:8700"
    db_url: str = "sqlite:///var/butler.db"
    token_minutes: int = Field(default=720, gt=0)


class GatewaySection(Strict):
    username: str = "gateway"
    supervision_interval_s: int = Field(default=60, gt=0)
    metrics_port: int = Field(default=8701, ge=0, lt=65536)
    # On a gas alarm, close that flat's gas valve at once (ARCHITECTURE §6, site setting).
    auto_valve_close: bool = False


class NotifySection(Strict):
    """ARCHITECTURE §10: staff roles' apprise URLs and the residents' SMS gateway."""

    roles: dict[str, list[str]] = Field(default_factory=dict)
    sms_url: str | None = None
    # Residents get no message that can wait between these times (site time), e.g.
    # "22:00-07:00"; empty: none. Alarms and asked-for login codes are never held.
    quiet_hours: Annotated[str, StringConstraints(
        pattern=r"^(|[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9])$")] = ""
    # At most this many non-urgent messages per phone per hour (0: no limit); more wait.
    rate_per_hour: int = Field(default=10, ge=0)


class KioskSection(Strict):
    fonts: list[str] = Field(default_factory=list)
    # Each kiosk's heartbeat to the control room; 3 missed: offline, a maintenance alert.
    heartbeat_s: float = Field(default=30, gt=0)


class BuildingSpec(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,8}$")]
    name_zh: str
    name_en: str
    entrances: int = Field(ge=1, le=20)
    floors: int = Field(ge=1, le=99)
    flats_per_floor: int = Field(ge=1, le=99)


class DeviceSpec(Strict):
    id: TopicId
    unit: str
    kind: DeviceKind
    supervision_interval_s: int | None = Field(default=None, gt=0)


class PanelSpec(Strict):
    id: TopicId
    building: str
    account: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{3,16}$")]
    port: str = "sim"
    # Contact ID zone (3 digits) -> unit id
    zones: dict[Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")], str]
    test_report_interval_s: int = Field(default=3600, gt=0)
    # DC-09 encryption over IP: an AES key of 16, 24 or 32 hex characters, the characters used
    # as the key bytes (as panels and pysiaalarm do). None: the account sends in clear.
    key: Annotated[str, StringConstraints(
        pattern=r"^(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{24}|[0-9A-Fa-f]{32})$")] | None = None


class StaffSpec(Credential):
    username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
    name: str
    role: Role
    # The building ids whose residents' requests this person owns as their butler (客户经理).
    butler_for: list[str] = Field(default_factory=list)


class KioskSpec(Credential):
    id: TopicId
    building: str
    name_zh: str
    name_en: str


class MenuItemSpec(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]
    name_zh: str
    name_en: str
    department: str
    sla: SlaClass = "request"
    price: float | None = Field(default=None, ge=0)
    quote: bool = False


class MenuSpec(Strict):
    id: Literal["public", "assistance", "value-added"]
    name_zh: str
    name_en: str
    note_zh: str = ""
    note_en: str = ""
    items: list[MenuItemSpec] = Field(min_length=1)


class PlanStepSpec(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class PlanSpec(Strict):
    """The ordered checklist an operator ticks off for one alert kind (ARCHITECTURE §6)."""

    kind: AlertKind
    steps: list[PlanStepSpec] = Field(min_length=1, max_length=50)


class EmergencyContactSpec(Strict):
    name: str = Field(min_length=1)
    phone: str = Field(min_length=3, max_length=32)
    relation: str = ""


class ResidentSpec(Strict):
    unit: str
    name: str = Field(min_length=1)
    phone: str = Field(min_length=3, max_length=32)
    elderly_alone: bool = False
    language: Literal["zh", "en"] = "zh"  # of the text messages the resident gets
    emergency_contacts: list[EmergencyContactSpec] = Field(default_factory=list)
    # Kiosk identification: a 6-digit PIN for the flat (hashed when the control room starts)
    # and the resident card's id as the reader sends it (hex).
    pin: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = None
    card: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{8,32}$")] | None = None


class SlaSection(Strict):
    """The promises to residents (DOMAIN.md "Promises to residents"); defaults are its table."""

    respond_min: float = Field(default=10, gt=0)  # any request answered (acknowledged)
    repair_on_site_min: float = Field(default=15, gt=0)
    urgent_repair_on_site_min: float = Field(default=30, gt=0)
    complaint_on_site_min: float = Field(default=60, gt=0)
    complaint_feedback_h: float = Field(default=24, gt=0)  # a site may set 4
    complaint_resolve_h: float = Field(default=8, gt=0)  # ordinary complaint
    serious_complaint_resolve_working_days: int = Field(default=5, gt=0, le=60)
    # The working-day calendar: Monday to Friday, less `holidays`, plus `workdays` (weekend
    # days worked in exchange for a holiday bridge, 调休).
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)


class CategorySpec(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    urgent: bool = False  # a repair category that is urgent by nature (no water, a stuck lift)


def _repair_categories() -> list[CategorySpec]:
    return [CategorySpec(id=i, name_zh=zh, name_en=en, urgent=u) for i, zh, en, u in (
        ("taps", "水龙头、水管", "Taps and pipes", False),
        ("drains", "下水道堵塞", "Blocked drains", False),
        ("electrics", "电路、插座、灯具", "Electrics, sockets and lights", False),
        ("doors-locks", "门窗、门锁", "Doors, windows and locks", False),
        ("lifts", "电梯故障", "Lift out of order", True),
        ("common-areas", "公共区域设施", "Common areas", False),
        ("water-outage", "停水、漏水严重", "No water or a serious leak", True),
        ("power-outage", "停电", "Power cut", True),
        ("other", "其他", "Something else", False),
    )]


def _complaint_categories() -> list[CategorySpec]:
    return [CategorySpec(id=i, name_zh=zh, name_en=en) for i, zh, en in (
        ("noise", "噪音", "Noise"),
        ("cleanliness", "环境卫生", "Cleanliness"),
        ("staff-attitude", "服务态度", "Staff attitude"),
        ("parking", "停车", "Parking"),
        ("security", "安全秩序", "Security and order"),
        ("renovation", "装修扰民", "Neighbour's renovation"),
        ("pets", "宠物", "Pets"),
        ("other", "其他", "Something else"),
    )]


class CategoriesSection(Strict):
    """The choices a resident picks from when reporting a repair or a complaint."""

    repair: list[CategorySpec] = Field(default_factory=_repair_categories, min_length=1)
    complaint: list[CategorySpec] = Field(default_factory=_complaint_categories, min_length=1)


class RetentionSection(Strict):
    """How long the control room keeps what grows without end (days; 0: for ever)."""

    ingest_keys_days: float = Field(default=30, ge=0)  # the gateway's idempotency keys
    # The histories of resolved alerts and closed requests.
    history_days: float = Field(default=730, ge=0)
    audit_days: float = Field(default=0, ge=0)  # the site's rules: kept for ever unless set
    sweep_s: float = Field(default=3600, gt=0)  # how often the retention job runs


class SiteFile(Strict):
    site: SiteSection
    mqtt: MqttSection = MqttSection()
    controlroom: ControlroomSection = ControlroomSection()
    gateway: GatewaySection = GatewaySection()
    kiosk: KioskSection = KioskSection()
    notify: NotifySection = NotifySection()
    buildings: list[BuildingSpec] = Field(min_length=1)
    devices: list[DeviceSpec] = Field(default_factory=list)
    panels: list[PanelSpec] = Field(default_factory=list)
    staff: list[StaffSpec] = Field(default_factory=list)
    kiosks: list[KioskSpec] = Field(default_factory=list)
    menus: list[MenuSpec] = Field(default_factory=list)
    plans: list[PlanSpec] = Field(default_factory=list)
    residents: list[ResidentSpec] = Field(default_factory=list)
    sla: SlaSection = SlaSection()
    categories: CategoriesSection = CategoriesSection()
    retention: RetentionSection = RetentionSection()
