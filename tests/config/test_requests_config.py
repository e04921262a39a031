"""The site file's parts for service requests: butlers, SLA settings, categories."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from config import SiteConfigError, load_site
from tests.support.sites import demo_text, small_site_text, write_site


def test_each_demo_building_has_its_butler_at_the_front_desk() -> None:
    site = load_site()
    assert site.butler_of("1").username == "butler1"  # type: ignore[union-attr]
    assert site.butler_of("2").username == "butler2"  # type: ignore[union-attr]
    assert {site.staff[b].role for b in ("butler1", "butler2")} == {"frontdesk"}


def test_the_demo_sla_settings_are_the_domain_defaults_with_a_holiday_list() -> None:
    sla = load_site().sla
    assert (sla.respond_min, sla.repair_on_site_min, sla.urgent_repair_on_site_min,
            sla.complaint_on_site_min, sla.complaint_feedback_h, sla.complaint_resolve_h,
            sla.serious_complaint_resolve_working_days) == (10, 15, 30, 60, 24, 8, 5)
    assert date(2026, 10, 1) in sla.holidays


def test_a_site_without_an_sla_section_gets_the_defaults_and_categories(tmp_path: Path
                                                                        ) -> None:
    site = load_site(write_site(tmp_path, small_site_text()))
    assert site.sla.respond_min == 10 and not site.sla.holidays
    assert {"taps", "drains", "electrics", "doors-locks", "lifts", "common-areas"} <= {
        c.id for c in site.repair_categories}
    assert {"noise", "cleanliness", "staff-attitude", "parking"} <= {
        c.id for c in site.complaint_categories}
    assert all(c.name_zh and c.name_en for c in site.repair_categories)


def test_a_butler_for_an_unknown_building_is_refused(tmp_path: Path) -> None:
    path = write_site(tmp_path, demo_text().replace('butler_for = ["2"]', 'butler_for = ["9"]'))
    with pytest.raises(SiteConfigError) as err:
        load_site(path)
    assert str(err.value).endswith("butler_for[0]: unknown building '9'")


def test_a_bad_holiday_date_names_the_key(tmp_path: Path) -> None:
    path = write_site(tmp_path, demo_text().replace('"2027-01-01"', '"2027-13-01"'))
    with pytest.raises(SiteConfigError) as err:
        load_site(path)
    assert ": sla.holidays[7]: " in str(err.value)
