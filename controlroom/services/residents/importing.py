"""Importing residents from a CSV or Excel file: which rows would be taken, which refused and
why. No database here: `plan_import` is a function of the file's rows, the site's flats and
the register as it stands, so the dry run and the import decide alike.

Columns (the first row names them; English or Chinese headers, any order):
unit 房号, name 姓名, phone 电话, phone2 电话2, language 语言 (zh/en), elderly_alone 独居老人
(yes/no, 是/否, 1/0), card 住户卡, contacts 紧急联系人 ("role:name:phone; role:name:phone"),
moved_in 入住日期 (YYYY-MM-DD). PINs are not imported: each resident chooses one at the kiosk
with a one-time code (hashing 2,000 PINs would take minutes, and a PIN list is a leak).

A row matches a resident already living in the flat by (unit, name): it updates what differs
or, if nothing differs, changes nothing; so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zipfile import BadZipFile

__all__ = ["COLUMNS", "Existing", "ImportPlan", "Refusal", "ResidentRow", "parse_contacts",
           "plan_import", "read_table"]

COLUMNS = {"unit": "unit", "房号": "unit", "name": "name", "姓名": "name", "phone": "phone",
           "电话": "phone", "phone2": "phone2", "电话2": "phone2", "language": "language",
           "语言": "language", "elderly_alone": "elderly_alone", "独居老人": "elderly_alone",
           "card": "card", "住户卡": "card", "contacts": "contacts", "紧急联系人": "contacts",
           "moved_in": "moved_in", "入住日期": "moved_in"}
REQUIRED = ("unit", "name", "phone")
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
CARD = re.compile(r"^[0-9A-F]{4,32}$")
LANGUAGES = ("zh", "en")
TRUE = {"yes", "y", "true", "1", "是", "x"}
FALSE = {"no", "n", "false", "0", "否", ""}
FIELDS = ("phone", "phone2", "language", "elderly_alone", "card", "contacts")


@dataclass(frozen=True)
class ResidentRow:
    """One resident as a file row describes them, checked."""

    row: int  # the row number in the file (the header is row 1)
    unit: str
    name: str
    phone: str
    phone2: str = ""
    language: str = "zh"
    elderly_alone: bool = False
    card: str | None = None
    contacts: tuple[tuple[str, str, str], ...] = ()  # (role, name, phone)
    moved_in: date | None = None

    def values(self) -> dict[str, object]:
        return {"phone": self.phone, "phone2": self.phone2, "language": self.language,
                "elderly_alone": self.elderly_alone, "card": self.card,
                "contacts": [{"role": r, "name": n, "phone": p} for r, n, p in self.contacts]}


@dataclass(frozen=True)
class Existing:
    """A resident living in the register now."""

    id: int
    unit: str
    name: str
    values: dict[str, object]


@dataclass(frozen=True)
class Refusal:
    row: int
    reason: str


@dataclass
class ImportPlan:
    create: list[ResidentRow] = field(default_factory=list)
    update: list[tuple[int, ResidentRow, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)


class TableError(ValueError):
    """The file cannot be read as a table of residents at all."""


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of a .csv (UTF-8, with or without BOM) or .xlsx file as {column: text}, keyed
    by the canonical column names; an unknown column is refused (a typo would lose data)."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        raw = _xlsx_rows(data)
    elif lower.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TableError("the CSV file is not UTF-8: save it as 'CSV UTF-8'") from exc
        raw = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise TableError("the file must be .csv or .xlsx")
    if not raw:
        raise TableError("the file is empty")
    header = [str(h).strip().lower() if h is not None else "" for h in raw[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise TableError(f"unknown column(s): {', '.join(unknown)}; known: "
                         f"{', '.join(sorted(set(COLUMNS.values())))}")
    keys = [COLUMNS.get(h, "") for h in header]
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise TableError(f"missing column(s): {', '.join(missing)}")
    rows = []
    for cells in raw[1:]:
        rows.append({k: _text(v) for k, v in zip(keys, cells, strict=False) if k})
    return rows


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook  # only the import needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(f"not a readable .xlsx file: {exc}") from exc
    sheet = book.worksheets[0]
    rows: list[list[object]] = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def parse_contacts(text: str) -> tuple[tuple[str, str, str], ...]:
    """'son:陈志强:138-0000-2811; neighbour:刘敏:137-0000-6620' -> ((role, name, phone), ...)."""
    out = []
    for part in text.replace("；", ";").split(";"):
        if not part.strip():
            continue
        bits = [b.strip() for b in part.replace("：", ":").split(":")]
        if len(bits) != 3 or not all(bits):
            raise ValueError(f"contact {part.strip()!r} is not role:name:phone")
        if not PHONE.match(bits[2]):
            raise ValueError(f"contact {bits[1]}'s phone {bits[2]!r} is not a phone number")
        out.append((bits[0], bits[1], bits[2]))
    return tuple(out)


def _check_phones(phone: str, phone2: str) -> None:
    if not PHONE.match(phone):
        raise ValueError(f"phone {phone!r} is not a phone number" if phone else "phone is empty")
    if phone2 and not PHONE.match(phone2):
        raise ValueError(f"phone2 {phone2!r} is not a phone number")


def check_row(n: int, r: dict[str, str], units: Iterable[str] | set[str]) -> ResidentRow:
    """The row as a `ResidentRow`, or ValueError saying what is wrong with it."""
    unit, name, phone = r.get("unit", ""), r.get("name", ""), r.get("phone", "")
    if not unit:
        raise ValueError("unit is empty")
    if unit not in units:
        raise ValueError(f"there is no flat {unit!r} at this site")
    if not name:
        raise ValueError("name is empty")
    if len(name) > 64:
        raise ValueError("name is longer than 64 characters")
    phone2 = r.get("phone2", "")
    _check_phones(phone, phone2)
    language = (r.get("language") or "zh").lower()
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} must be zh or en")
    flag = r.get("elderly_alone", "").lower()
    if flag not in TRUE | FALSE:
        raise ValueError(f"elderly_alone {flag!r} must be yes or no")
    card = r.get("card", "").upper() or None
    if card is not None and not CARD.match(card):
        raise ValueError(f"card {card!r} must be 4-32 hex digits")
    moved_in = None
    if r.get("moved_in"):
        try:
            moved_in = date.fromisoformat(r["moved_in"])
        except ValueError:
            raise ValueError(f"moved_in {r['moved_in']!r} is not a date YYYY-MM-DD") from None
    return ResidentRow(row=n, unit=unit, name=name, phone=phone, phone2=phone2,
                       language=language, elderly_alone=flag in TRUE, card=card,
                       contacts=parse_contacts(r.get("contacts", "")), moved_in=moved_in)


def plan_import(rows: Sequence[dict[str, str]], units: Iterable[str],
                existing: Sequence[Existing]) -> ImportPlan:
    """What importing `rows` would do to a register holding `existing` (living residents)."""
    unit_set = set(units)
    by_key = {(e.unit, e.name): e for e in existing}
    card_owner = {str(e.values["card"]): (e.unit, e.name) for e in existing if e.values["card"]}
    plan = ImportPlan()
    seen: dict[tuple[str, str], int] = {}
    cards_in_file: dict[str, int] = {}
    for i, raw in enumerate(rows, start=2):
        if not any(raw.values()):
            continue  # a blank line is not a resident
        try:
            row = check_row(i, raw, unit_set)
        except ValueError as exc:
            plan.refused.append(Refusal(i, str(exc)))
            continue
        key = (row.unit, row.name)
        if key in seen:
            plan.refused.append(Refusal(i, f"{row.name} of {row.unit} is already on row "
                                           f"{seen[key]}"))
            continue
        if row.card:
            if row.card in cards_in_file:
                plan.refused.append(Refusal(i, f"card {row.card} is already on row "
                                               f"{cards_in_file[row.card]}"))
                continue
            owner = card_owner.get(row.card)
            if owner is not None and owner != key:
                plan.refused.append(Refusal(i, f"card {row.card} belongs to another resident "
                                               f"({owner[0]}): report it lost first"))
                continue
            cards_in_file[row.card] = i
        seen[key] = i
        known = by_key.get(key)
        if known is None:
            plan.create.append(row)
            continue
        new = row.values()
        changed = [f for f in FIELDS if new[f] != known.values.get(f)]
        if changed:
            plan.update.append((known.id, row, changed))
        else:
            plan.unchanged += 1
    return plan
