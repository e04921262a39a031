"""Load and validate a site file; expand buildings into units and per-flat devices."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from config.model import (
    Building,
    Category,
    Device,
    EmergencyContact,
    Kiosk,
    Menu,
    MenuItem,
    NotifySite,
    Panel,
    Plan,
    PlanStep,
    Resident,
    Retention,
    Site,
    SlaSettings,
    Staff,
    Unit,
)
from config.schema import SiteFile
from config.settings import SITE

DEFAULT_SITE_PATH = Path(__file__).with_name("site.toml")


class SiteConfigError(Exception):
    """A site file that cannot be used. `str()` is one line per problem: `file: key: what`."""

    def __init__(self, path: str, problems: Iterable[tuple[str, str]]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__("\n".join(f"{path}: {key}: {what}" for key, what in self.problems))


def _key(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(file)"


def unit_id(building: str, entrance: int, floor: int, flat: int) -> str:
    return f"{building}-{entrance}-{floor:02d}{flat:02d}"


def default_site_path() -> Path:
    return SITE.read() or DEFAULT_SITE_PATH


def load_site(path: str | Path | None = None) -> Site:
    path = Path(path) if path is not None else default_site_path()
    name = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteConfigError(name, [("(file)", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteConfigError(name, [("(file)", f"cannot read: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(name, [("(syntax)", str(exc))]) from None
    try:
        spec = SiteFile.model_validate(raw)
    except ValidationError as exc:
        raise SiteConfigError(
            name, [(_key(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]
        ) from None
    return _expand(spec, name)


Problems = list[tuple[str, str]]


def _expand(spec: SiteFile, name: str) -> Site:
    problems: Problems = []
    interval = spec.gateway.supervision_interval_s
    buildings, units, devices = _estate(spec, interval, problems)
    panels = _panels(spec, buildings, units, devices, problems)
    staff = _staff(spec, buildings, problems)
    kiosks = _kiosks(spec, buildings, staff, problems)
    menus = _menus(spec, problems)
    plans = _plans(spec, problems)
    residents = _residents(spec, units, problems)
    _check_categories(spec, problems)
    sla = spec.sla
    if set(sla.holidays) & set(sla.workdays):
        problems.append(("sla.workdays", "a day cannot be both a holiday and a working day"))

    if problems:
        raise SiteConfigError(name, problems)
    return Site(
        id=spec.site.id,
        name_zh=spec.site.name_zh,
        name_en=spec.site.name_en,
        hotline=spec.site.hotline,
        timezone=spec.site.timezone,
        path=name,
        mqtt_url=spec.mqtt.url,
        api_url=spec.controlroom.url,
        db_url=spec.controlroom.db_url,
        token_minutes=spec.controlroom.token_minutes,
        gateway_username=spec.gateway.username,
        supervision_interval_s=interval,
        gateway_metrics_port=spec.gateway.metrics_port,
        auto_valve_close=spec.gateway.auto_valve_close,
        kiosk_fonts=tuple(spec.kiosk.fonts),
        kiosk_heartbeat_s=spec.kiosk.heartbeat_s,
        buildings=buildings,
        units=units,
        devices=devices,
        panels=panels,
        staff=staff,
        kiosks=kiosks,
        menus=tuple(menus),
        plans=plans,
        residents=tuple(residents),
        sla=SlaSettings(
            respond_min=sla.respond_min, repair_on_site_min=sla.repair_on_site_min,
            urgent_repair_on_site_min=sla.urgent_repair_on_site_min,
            complaint_on_site_min=sla.complaint_on_site_min,
            complaint_feedback_h=sla.complaint_feedback_h,
            complaint_resolve_h=sla.complaint_resolve_h,
            serious_complaint_resolve_working_days=sla.serious_complaint_resolve_working_days,
            holidays=frozenset(sla.holidays), workdays=frozenset(sla.workdays)),
        retention=Retention(**spec.retention.model_dump()),
        repair_categories=tuple(Category(**c.model_dump()) for c in spec.categories.repair),
        complaint_categories=tuple(Category(**c.model_dump()) for c in spec.categories.complaint),
        notify=NotifySite({r: tuple(u) for r, u in spec.notify.roles.items()},
                          spec.notify.sms_url, spec.notify.quiet_hours,
                          spec.notify.rate_per_hour),
    )


def _estate(spec: SiteFile, interval: int, problems: Problems
            ) -> tuple[dict[str, Building], dict[str, Unit], dict[str, Device]]:
    """Buildings, their flats, each flat's gas detector and panic button, and extra devices."""
    buildings: dict[str, Building] = {}
    units: dict[str, Unit] = {}
    devices: dict[str, Device] = {}
    for i, b in enumerate(spec.buildings):
        if b.id in buildings:
            problems.append((f"buildings[{i}].id", f"duplicate building {b.id!r}"))
            continue
        buildings[b.id] = Building(**b.model_dump())
        for u in _flats(b.id, b.entrances, b.floors, b.flats_per_floor):
            units[u.id] = u
            for prefix, kind in (("gas", "gas_detector"), ("btn", "panic_button")):
                d = Device(f"{prefix}-{u.id}", u.id, b.id, kind, interval)
                devices[d.id] = d

    for i, ds in enumerate(spec.devices):
        if ds.unit not in units:
            problems.append((f"devices[{i}].unit", f"unknown unit {ds.unit!r}"))
        elif ds.id in devices:
            problems.append((f"devices[{i}].id", f"duplicate device {ds.id!r}"))
        else:
            devices[ds.id] = Device(
                ds.id, ds.unit, units[ds.unit].building, ds.kind,
                ds.supervision_interval_s or interval,
            )
    return buildings, units, devices


def _flats(building: str, entrances: int, floors: int, per_floor: int) -> list[Unit]:
    return [Unit(unit_id(building, e, f, n), building, e, f, n)
            for e in range(1, entrances + 1)
            for f in range(1, floors + 1)
            for n in range(1, per_floor + 1)]


def _panels(spec: SiteFile, buildings: dict[str, Building], units: dict[str, Unit],
            devices: dict[str, Device], problems: Problems) -> dict[str, Panel]:
    panels: dict[str, Panel] = {}
    for i, p in enumerate(spec.panels):
        if p.building not in buildings:
            problems.append((f"panels[{i}].building", f"unknown building {p.building!r}"))
        if p.id in panels or p.id in devices:
            problems.append((f"panels[{i}].id", f"duplicate device {p.id!r}"))
        problems.extend((f"panels[{i}].zones.{zone}", f"unknown unit {unit!r}")
                        for zone, unit in p.zones.items() if unit not in units)
        panels[p.id] = Panel(
            p.id, p.building, p.account.upper(), p.port, dict(p.zones), p.test_report_interval_s,
            p.key,
        )
    return panels


def _staff(spec: SiteFile, buildings: dict[str, Building],
           problems: Problems) -> dict[str, Staff]:
    staff: dict[str, Staff] = {}
    for i, s in enumerate(spec.staff):
        if s.username in staff:
            problems.append((f"staff[{i}].username", f"duplicate user {s.username!r}"))
        problems.extend((f"staff[{i}].butler_for[{j}]", f"unknown building {bid!r}")
                        for j, bid in enumerate(s.butler_for) if bid not in buildings)
        staff[s.username] = Staff(s.username, s.name, s.role, s.password or "",
                                   tuple(s.butler_for), s.password_hash or "")
    gw = staff.get(spec.gateway.username)
    if gw is None or gw.role != "gateway":
        problems.append(
            ("gateway.username", f"no staff account {spec.gateway.username!r} with role 'gateway'")
        )
    return staff


def _kiosks(spec: SiteFile, buildings: dict[str, Building], staff: dict[str, Staff],
            problems: Problems) -> dict[str, Kiosk]:
    kiosks: dict[str, Kiosk] = {}
    for i, k in enumerate(spec.kiosks):
        if k.building not in buildings:
            problems.append((f"kiosks[{i}].building", f"unknown building {k.building!r}"))
        if k.id in kiosks or k.id in staff:
            problems.append((f"kiosks[{i}].id", f"duplicate account {k.id!r}"))
        kiosks[k.id] = Kiosk(k.id, k.building, k.name_zh, k.name_en, k.password or "",
                          k.password_hash or "")
    return kiosks


def _menus(spec: SiteFile, problems: Problems) -> list[Menu]:
    menus: list[Menu] = []
    seen_items: set[str] = set()
    for i, m in enumerate(spec.menus):
        items = []
        for j, it in enumerate(m.items):
            if it.id in seen_items:
                problems.append((f"menus[{i}].items[{j}].id", f"duplicate item {it.id!r}"))
            if it.quote and it.price is not None:
                problems.append((f"menus[{i}].items[{j}].price", "give a price or quote, not both"))
            seen_items.add(it.id)
            items.append(MenuItem(**it.model_dump()))
        menus.append(Menu(m.id, m.name_zh, m.name_en, m.note_zh, m.note_en, tuple(items)))
    return menus


def _plans(spec: SiteFile, problems: Problems) -> dict[str, Plan]:
    plans: dict[str, Plan] = {}
    for i, pl in enumerate(spec.plans):
        if pl.kind in plans:
            problems.append((f"plans[{i}].kind", f"duplicate plan for {pl.kind!r}"))
        plans[pl.kind] = Plan(pl.kind, tuple(PlanStep(st.zh, st.en) for st in pl.steps))
    return plans


def _residents(spec: SiteFile, units: dict[str, Unit], problems: Problems) -> list[Resident]:
    residents: list[Resident] = []
    cards: set[str] = set()
    for i, r in enumerate(spec.residents):
        if r.unit not in units:
            problems.append((f"residents[{i}].unit", f"unknown unit {r.unit!r}"))
        if r.card and r.card.upper() in cards:
            problems.append((f"residents[{i}].card", f"duplicate resident card {r.card!r}"))
        if r.card:
            cards.add(r.card.upper())
        contacts = tuple(EmergencyContact(c.name, c.phone, c.relation)
                         for c in r.emergency_contacts)
        residents.append(Resident(r.unit, r.name, r.phone, r.elderly_alone, contacts,
                                  pin=r.pin, card=r.card.upper() if r.card else None,
                                  language=r.language))
    return residents


def _check_categories(spec: SiteFile, problems: Problems) -> None:
    for kind, cats in (("repair", spec.categories.repair),
                       ("complaint", spec.categories.complaint)):
        seen: set[str] = set()
        for j, c in enumerate(cats):
            if c.id in seen:
                problems.append((f"categories.{kind}[{j}].id", f"duplicate category {c.id!r}"))
            seen.add(c.id)


def load_site_or_exit(path: str | Path | None = None) -> Site:
    """For programs' entry points: a bad site file is one line on stderr per problem, exit 2."""
    try:
        return load_site(path)
    except SiteConfigError as exc:
        _die(str(exc))


def _die(message: str) -> NoReturn:
    sys.stderr.write(f"{message}\n")
    raise SystemExit(2)
