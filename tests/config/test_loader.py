from pathlib import Path

import pytest

from config import SiteConfigError, load_site
from tests.support.sites import BROKEN, demo_text, write_site


def test_demo_site_has_two_buildings_of_two_entrances_18_floors_4_flats() -> None:
    site = load_site()
    assert set(site.buildings) == {"1", "2"}
    assert len(site.units) == 2 * 2 * 18 * 4
    unit = site.units["1-2-1502"]
    assert (unit.building, unit.entrance, unit.floor, unit.flat) == ("1", 2, 15, 2)


def test_every_flat_has_a_gas_detector_and_an_emergency_button() -> None:
    site = load_site()
    for unit in site.units:
        assert site.devices[f"gas-{unit}"].kind == "gas_detector"
        assert site.devices[f"btn-{unit}"].kind == "panic_button"


def test_demo_site_has_every_role_two_kiosks_a_panel_and_three_menus() -> None:
    site = load_site()
    roles = {s.role for s in site.staff.values()}
    assert {"operator", "supervisor", "frontdesk", "maintenance", "admin", "gateway"} <= roles
    assert len(site.kiosks) == 2
    assert len(site.panels) == 1
    assert [m.id for m in site.menus] == ["public", "assistance", "value-added"]
    assert all(item.name_zh and item.name_en for m in site.menus for item in m.items)


@pytest.mark.parametrize(("name", "edit", "key"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_site_names_the_file_and_the_key(tmp_path: Path, name: str, edit, key: str
                                                  ) -> None:
    path = write_site(tmp_path, edit(demo_text()))
    with pytest.raises(SiteConfigError) as err:
        load_site(path)
    lines = str(err.value).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: {key}: ")


def test_a_toml_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write_site(tmp_path, demo_text().replace("[site]", "[site", 1))
    with pytest.raises(SiteConfigError, match=r"\(syntax\): .*line"):
        load_site(path)


def test_unknown_keys_are_refused_so_typos_do_not_pass_silently(tmp_path: Path) -> None:
    path = write_site(tmp_path, demo_text().replace("floors = 18", "floors = 18\nflors = 3", 1))
    with pytest.raises(SiteConfigError, match=r"buildings\[0\]\.flors: Extra inputs"):
        load_site(path)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="no such file"):
        load_site(tmp_path / "nope.toml")


def test_environment_overrides_the_site_urls() -> None:
    from config import Settings

    site = load_site()
    s = Settings.from_site(site, {"BUTLER_DB_URL": "postgresql://x/y",
                                  "BUTLER_MQTT_URL": "mqtt://h:1", "BUTLER_API_URL": "http://a/"})
    assert (s.db_url, s.mqtt_url, s.api_url) == ("postgresql://x/y", "mqtt://h:1", "http://a")
    assert Settings.from_site(site, {}).db_url == site.db_url
