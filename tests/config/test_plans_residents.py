"""Action plans and residents in the site file: the demo site's, and the loader's checks."""

from pathlib import Path

import pytest

from config import SiteConfigError, load_site
from tests.support.sites import small_site_text, write_site

PLAN = """
[[plans]]
kind = "{kind}"
steps = [{{ zh = "致电该户", en = "Call the unit" }}, {{ zh = "派保安", en = "Send a guard" }}]
"""

RESIDENT = """
[[residents]]
unit = "{unit}"
name = "张三"
phone = "139-0000-0101"
elderly_alone = true
emergency_contacts = [{{ name = "张小", phone = "138-0000-0000", relation = "son" }}]
"""


def _load_error(tmp_path: Path, text: str) -> list[str]:
    path = write_site(tmp_path, text)
    with pytest.raises(SiteConfigError) as err:
        load_site(path)
    lines = str(err.value).splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines)
    return [line.removeprefix(f"{path}: ") for line in lines]


def test_the_demo_site_has_the_gas_plan_of_domain_md_in_both_languages() -> None:
    site = load_site()
    gas = site.plans["gas_alarm"]
    assert len(gas.steps) == 6
    assert all(step.zh and step.en for step in gas.steps)
    assert gas.steps[0].en.startswith("Identify the unit")
    assert "electrical switch" in gas.steps[4].en
    assert "结案" in gas.steps[5].zh


def test_the_demo_site_has_the_emergency_button_plan() -> None:
    panic = load_site().plans["panic"]
    assert [s.en for s in panic.steps] == [
        "Call the unit", "Send the nearest guard",
        "Call 120/110 on the resident's word or if there is no answer"]
    assert "120/110" in panic.steps[2].zh


def test_the_demo_site_has_residents_of_the_readme_units_with_contacts() -> None:
    site = load_site()
    assert len(site.residents) >= 5
    (chen,) = site.residents_of("1-2-1502")
    assert chen.elderly_alone is True
    assert chen.phone and chen.emergency_contacts[0].name and chen.emergency_contacts[0].phone
    assert len(site.residents_of("2-1-0304")) == 2
    assert site.residents_of("1-1-0102") == ()
    assert all(r.unit in site.units for r in site.residents)


def test_a_small_site_without_plans_or_residents_loads(tmp_path: Path) -> None:
    site = load_site(write_site(tmp_path, small_site_text()))
    assert site.plans == {} and site.residents == ()


def test_a_plan_and_a_resident_in_a_small_site(tmp_path: Path) -> None:
    text = small_site_text() + PLAN.format(kind="panic") + RESIDENT.format(unit="1-1-0101")
    site = load_site(write_site(tmp_path, text))
    assert [s.zh for s in site.plans["panic"].steps] == ["致电该户", "派保安"]
    (r,) = site.residents
    assert (r.unit, r.name, r.elderly_alone) == ("1-1-0101", "张三", True)
    assert r.emergency_contacts[0].relation == "son"


def test_a_plan_for_an_unknown_alert_kind_is_refused(tmp_path: Path) -> None:
    (line,) = _load_error(tmp_path, small_site_text() + PLAN.format(kind="gas_leak"))
    assert line.startswith("plans[0].kind: Input should be 'gas_alarm', 'panic'")


def test_two_plans_for_one_kind_are_refused(tmp_path: Path) -> None:
    text = small_site_text() + PLAN.format(kind="panic") + PLAN.format(kind="panic")
    assert _load_error(tmp_path, text) == ["plans[1].kind: duplicate plan for 'panic'"]


def test_a_plan_needs_steps_in_both_languages(tmp_path: Path) -> None:
    empty = small_site_text() + '[[plans]]\nkind = "panic"\nsteps = []\n'
    (line,) = _load_error(tmp_path, empty)
    assert line.startswith("plans[0].steps: List should have at least 1 item")
    no_en = small_site_text() + '[[plans]]\nkind = "panic"\nsteps = [{ zh = "致电" }]\n'
    assert _load_error(tmp_path, no_en) == ["plans[0].steps[0].en: Field required"]


def test_a_resident_of_an_unknown_unit_is_refused(tmp_path: Path) -> None:
    text = small_site_text() + RESIDENT.format(unit="1-1-0101") + RESIDENT.format(unit="9-9-9999")
    assert _load_error(tmp_path, text) == ["residents[1].unit: unknown unit '9-9-9999'"]


def test_a_resident_contact_needs_a_phone(tmp_path: Path) -> None:
    text = small_site_text() + RESIDENT.format(unit="1-1-0101").replace(
        ', phone = "138-0000-0000"', "")
    assert _load_error(tmp_path, text) == [
        "residents[0].emergency_contacts[0].phone: Field required"]
