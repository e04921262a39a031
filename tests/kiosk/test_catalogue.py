"""The kiosk's wording and prices, without a window."""

from __future__ import annotations

import dataclasses

import pytest

from config import MenuItem, Site, load_site
from kiosk.catalogue import Catalogue, format_price, parse_lang, pick, text, toggle_lang


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site()


def item(price: float | None = None, quote: bool = False) -> MenuItem:
    return MenuItem("x", "某项", "Something", "service", "paid", price, quote)


def test_home_shows_the_three_menus_in_site_order_in_chinese(site: Site) -> None:
    home = Catalogue(site, "kiosk-1").home("zh")

    assert [t.id for t in home.tiles] == ["public", "assistance", "value-added"]
    assert [t.title for t in home.tiles] == ["公共常规服务", "无偿囊助服务", "增值管家服务"]
    assert [t.note for t in home.tiles] == ["已含在物业费中", "免费", "有偿，明码标价"]
    assert home.site_name == "江畔花园"
    assert home.place == "1号楼大堂"
    assert home.hotline == "24小时服务热线  400-820-8820"


def test_home_in_english_uses_the_english_names(site: Site) -> None:
    home = Catalogue(site, "kiosk-2").home("en")

    assert [t.title for t in home.tiles] == [
        "Public routine services",
        "Free assistance",
        "Value-added services",
    ]
    assert home.site_name == "Riverside Gardens"
    assert home.place == "Building 2 lobby"
    assert home.prompt == "Choose a service"
    assert home.hotline.endswith("400-820-8820")


def test_language_toggle_switches_between_chinese_and_english() -> None:
    assert toggle_lang("zh") == "en"
    assert toggle_lang("en") == "zh"
    assert toggle_lang(toggle_lang("zh")) == "zh"


def test_toggle_button_names_the_other_language_in_that_language(site: Site) -> None:
    catalogue = Catalogue(site, "kiosk-1")

    assert catalogue.home("zh").lang_toggle == "English"
    assert catalogue.home("en").lang_toggle == "中文"
    assert catalogue.menu("public", "zh").lang_toggle == "English"


def test_menu_rows_are_the_site_items_in_order_with_their_prices(site: Site) -> None:
    menu = Catalogue(site, "kiosk-1").menu("value-added", "zh")
    configured = next(m for m in site.menus if m.id == "value-added")

    assert menu.title == "增值管家服务"
    assert menu.back == "‹ 返回"
    assert [r.name for r in menu.rows] == [it.name_zh for it in configured.items]
    prices = {r.id: r.price for r in menu.rows}
    assert prices["home-cleaning"] == "¥150"
    assert prices["moving"] == "面议"
    assert prices["business"] == "¥2"


def test_menu_in_english(site: Site) -> None:
    menu = Catalogue(site).menu("value-added", "en")

    assert menu.title == "Value-added services"
    assert menu.back == "‹ Back"
    assert menu.rows[0].name == "Home cleaning (3 hours)"
    assert {r.id: r.price for r in menu.rows}["moving"] == "Quote on request"


def test_free_menus_show_free_for_every_item(site: Site) -> None:
    catalogue = Catalogue(site)

    for menu_id in ("public", "assistance"):
        assert {r.price for r in catalogue.menu(menu_id, "zh").rows} == {"免费"}
        assert {r.price for r in catalogue.menu(menu_id, "en").rows} == {"Free"}


@pytest.mark.parametrize(
    ("price", "quote", "zh", "en"),
    [
        (None, False, "免费", "Free"),
        (150, False, "¥150", "¥150"),
        (150.0, False, "¥150", "¥150"),
        (2.5, False, "¥2.50", "¥2.50"),
        (None, True, "面议", "Quote on request"),
    ],
)
def test_price_formatting(price: float | None, quote: bool, zh: str, en: str) -> None:
    assert format_price(item(price, quote), "zh") == zh
    assert format_price(item(price, quote), "en") == en


def test_a_missing_translation_falls_back_to_the_other_language() -> None:
    assert pick("en", "公告", "") == "公告"
    assert pick("zh", "", "Notice") == "Notice"
    assert pick("zh", "公告", "Notice") == "公告"


def test_a_site_without_kiosks_still_has_a_home_screen(site: Site) -> None:
    bare = dataclasses.replace(site, kiosks={})

    home = Catalogue(bare).home("zh")

    assert home.place == ""
    assert len(home.tiles) == 3


def test_unknown_ids_and_languages_are_refused(site: Site) -> None:
    with pytest.raises(KeyError):
        Catalogue(site, "kiosk-9")
    with pytest.raises(KeyError):
        Catalogue(site).menu("no-such-menu", "zh")
    with pytest.raises(ValueError, match="fr"):
        parse_lang("fr")
    assert parse_lang("en") == "en"


def test_every_fixed_text_exists_in_both_languages() -> None:
    for key in ("prompt", "hotline", "back", "toggle", "free", "quote"):
        assert text(key, "zh") and text(key, "en")
