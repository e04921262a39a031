"""The import's decisions (no database): what is refused and why, what is new, changed or the
same."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from controlroom.services.residents.importing import (
    Existing,
    TableError,
    parse_contacts,
    plan_import,
    read_table,
)

UNITS = {"1-1-0101", "1-1-0102"}


def row(**kw: str) -> dict[str, str]:
    base = {"unit": "1-1-0101", "name": "王芳", "phone": "139-0000-0101"}
    return {**base, **kw}


def test_each_bad_row_is_refused_with_its_row_number_and_reason() -> None:
    plan = plan_import([row(), row(unit="9-9-9999", name="A"), row(name=""),
                        row(name="B", phone="call me"), row(name="C", language="fr"),
                        row(name="D", elderly_alone="maybe"), row(name="E", card="XYZ!"),
                        row(name="F", contacts="son:陈志强"), row(name="G", moved_in="31/12")],
                       UNITS, [])
    assert [r.row for r in plan.refused] == [3, 4, 5, 6, 7, 8, 9, 10]
    reasons = [r.reason for r in plan.refused]
    assert "no flat '9-9-9999'" in reasons[0]
    assert reasons[1] == "name is empty"
    assert "not a phone number" in reasons[2]
    assert "zh or en" in reasons[3]
    assert "yes or no" in reasons[4]
    assert "hex" in reasons[5]
    assert "role:name:phone" in reasons[6]
    assert "YYYY-MM-DD" in reasons[7]
    assert len(plan.create) == 1 and plan.create[0].row == 2


def test_a_duplicate_in_the_file_or_a_card_held_by_someone_else_is_refused() -> None:
    living = [Existing(7, "1-1-0102", "李雷", {"card": "04A1", "phone": "1", "phone2": "",
                                                "language": "zh", "elderly_alone": False,
                                                "contacts": []})]
    plan = plan_import([row(card="04b2"), row(phone="138-0000-0000"),
                        row(name="韩梅", card="04B2"), row(name="韩梅梅", card="04A1")],
                       UNITS, living)
    assert [(r.row, r.reason) for r in plan.refused] == [
        (3, "王芳 of 1-1-0101 is already on row 2"),
        (4, "card 04B2 is already on row 2"),
        (5, "card 04A1 belongs to another resident (1-1-0102): report it lost first")]


def test_a_known_resident_is_updated_only_in_what_differs() -> None:
    values = {"phone": "139-0000-0101", "phone2": "", "language": "zh", "elderly_alone": True,
              "card": None, "contacts": [{"role": "son", "name": "王强",
                                          "phone": "138-0000-1111"}]}
    living = [Existing(3, "1-1-0101", "王芳", values)]
    same = row(elderly_alone="是", contacts="son:王强:138-0000-1111")
    assert plan_import([same], UNITS, living).unchanged == 1
    moved = plan_import([{**same, "phone": "139-1111-2222", "language": "en"}], UNITS, living)
    assert [(rid, changed) for rid, _, changed in moved.update] == [(3, ["phone", "language"])]


def test_contacts_read_in_both_punctuations() -> None:
    assert parse_contacts("son:陈志强:138-0000-2811；邻居：刘敏：137-0000-6620") == (
        ("son", "陈志强", "138-0000-2811"), ("邻居", "刘敏", "137-0000-6620"))


def test_csv_and_excel_read_alike_with_chinese_headers() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["房号", "姓名", "电话", "独居老人"])
    sheet.append(["1-1-0101", "王芳", "13900000101", "是"])
    buf = io.BytesIO()
    book.save(buf)
    csv = "\ufeff房号,姓名,电话,独居老人\n1-1-0101,王芳,13900000101,是\n".encode()
    assert read_table(buf.getvalue(), "r.xlsx") == read_table(csv, "r.csv") == [
        {"unit": "1-1-0101", "name": "王芳", "phone": "13900000101", "elderly_alone": "是"}]


@pytest.mark.parametrize("data,name,says", [
    (b"unit,nom,phone\n", "r.csv", "unknown column(s): nom"),
    (b"unit,phone\n", "r.csv", "missing column(s): name"),
    (b"", "r.csv", "empty"),
    (b"PK not a zip", "r.xlsx", "not a readable .xlsx"),
    (b"x", "r.pdf", ".csv or .xlsx"),
    ("unit,name,phone\n".encode("gbk") + "1,王,1\n".encode("gbk"), "r.csv", "not UTF-8"),
])
def test_a_file_that_is_not_a_resident_table_says_why(data: bytes, name: str, says: str) -> None:
    with pytest.raises(TableError, match=None) as err:
        read_table(data, name)
    assert says in str(err.value)
