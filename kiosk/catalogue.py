"""What the kiosk says, in which language: the service menus as view models.

No Kivy here. The screens show these values as they are; every choice of wording, language and
price format is made in this module and tested with plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from config import Menu, MenuItem, Site

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

# Fixed wording of the kiosk itself; names and notes of services come from the site file.
_TEXT: dict[str, dict[Lang, str]] = {
    "prompt": {"zh": "请选择服务", "en": "Choose a service"},
    "hotline": {"zh": "24小时服务热线", "en": "24-hour hotline"},
    "back": {"zh": "‹ 返回", "en": "‹ Back"},
    # The toggle names the language it switches to, in that language.
    "toggle": {"zh": "English", "en": "中文"},
    "free": {"zh": "免费", "en": "Free"},
    "quote": {"zh": "面议", "en": "Quote on request"},
}


def parse_lang(value: str) -> Lang:
    if value not in LANGS:
        raise ValueError(f"unknown language {value!r}; use one of {', '.join(LANGS)}")
    return cast(Lang, value)


def toggle_lang(lang: Lang) -> Lang:
    return "en" if lang == "zh" else "zh"


def pick(lang: Lang, zh: str, en: str) -> str:
    """The text for `lang`, falling back to the other language when it is missing."""
    if lang == "zh":
        return zh or en
    return en or zh


def text(key: str, lang: Lang) -> str:
    return _TEXT[key][lang]


def format_price(item: MenuItem, lang: Lang) -> str:
    """Free, a fixed price in yuan (no cents when whole), or a quote on request."""
    if item.quote:
        return text("quote", lang)
    if item.price is None:
        return text("free", lang)
    amount = f"{item.price:.0f}" if float(item.price).is_integer() else f"{item.price:.2f}"
    return f"¥{amount}"


@dataclass(frozen=True)
class MenuTile:
    """One service menu as a button on the home screen."""

    id: str
    title: str
    note: str


@dataclass(frozen=True)
class ItemRow:
    id: str
    name: str
    price: str


@dataclass(frozen=True)
class HomeView:
    lang: Lang
    site_name: str
    place: str  # where this kiosk stands, e.g. "1号楼大堂"
    prompt: str
    hotline: str
    lang_toggle: str
    tiles: tuple[MenuTile, ...]


@dataclass(frozen=True)
class MenuView:
    lang: Lang
    id: str
    title: str
    note: str
    back: str
    hotline: str
    lang_toggle: str
    rows: tuple[ItemRow, ...]


class Catalogue:
    """The site's service menus as seen from one kiosk."""

    def __init__(self, site: Site, kiosk_id: str | None = None) -> None:
        if kiosk_id is not None and kiosk_id not in site.kiosks:
            raise KeyError(kiosk_id)
        self.site = site
        self.kiosk = site.kiosks[kiosk_id] if kiosk_id is not None else None

    def menu_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.site.menus)

    def hotline(self, lang: Lang) -> str:
        return f"{text('hotline', lang)}  {self.site.hotline}"

    def home(self, lang: Lang) -> HomeView:
        place = pick(lang, self.kiosk.name_zh, self.kiosk.name_en) if self.kiosk else ""
        return HomeView(
            lang=lang,
            site_name=pick(lang, self.site.name_zh, self.site.name_en),
            place=place,
            prompt=text("prompt", lang),
            hotline=self.hotline(lang),
            lang_toggle=text("toggle", lang),
            tiles=tuple(
                MenuTile(m.id, pick(lang, m.name_zh, m.name_en), pick(lang, m.note_zh, m.note_en))
                for m in self.site.menus
            ),
        )

    def menu(self, menu_id: str, lang: Lang) -> MenuView:
        m = self._menu(menu_id)
        return MenuView(
            lang=lang,
            id=m.id,
            title=pick(lang, m.name_zh, m.name_en),
            note=pick(lang, m.note_zh, m.note_en),
            back=text("back", lang),
            hotline=self.hotline(lang),
            lang_toggle=text("toggle", lang),
            rows=tuple(
                ItemRow(it.id, pick(lang, it.name_zh, it.name_en), format_price(it, lang))
                for it in m.items
            ),
        )

    def _menu(self, menu_id: str) -> Menu:
        for m in self.site.menus:
            if m.id == menu_id:
                return m
        raise KeyError(menu_id)
