"""What each screen shows, as frozen values built from the control room's answers.

No Kivy here: a screen's .kv binds to these fields as they are. Every wording, time and money
format is chosen in this module (with kiosk.formats and kiosk.wording) and tested with plain
values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.catalogue import pick
from kiosk.formats import format_countdown, format_money, format_time, mask_name, pieces
from kiosk.keypad import Entry, keys_for
from kiosk.vocabulary import Vocabulary
from kiosk.wording import Lang, kind_label, say

Json = dict[str, Any]

# -- shared pieces ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a list: a title, a secondary line, a value on the right, and an id when
    the row opens something."""

    title: str
    detail: str = ""
    value: str = ""
    id: str = ""


@dataclass(frozen=True)
class Choice:
    id: str
    title: str
    selected: bool = False


@dataclass(frozen=True)
class Chrome:
    """The frame around every screen: header, session bar, offline banner, hotline, busy."""

    title: str
    back: str  # "" hides the back button
    lang_toggle: str
    large_toggle: str
    greeting: str  # "" when no one is logged in
    logout: str
    offline: str  # "" when online
    hotline: str
    busy: str  # "" when nothing is waited for


# -- screens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttractView:
    title: str
    place: str
    banner: str  # the building alert, "" when there is none
    notices: tuple[Row, ...]
    prompt: str


@dataclass(frozen=True)
class HomeView:
    prompt: str
    tiles: tuple[Row, ...]  # id = menu id, detail = its note
    actions: tuple[Choice, ...]


@dataclass(frozen=True)
class ItemView:
    id: str
    title: str
    price: str
    lines: tuple[str, ...]
    order: str


@dataclass(frozen=True)
class KeypadView:
    keys: tuple[str, ...]
    ok: str


@dataclass(frozen=True)
class LoginView:
    card_prompt: str
    or_text: str
    flat_label: str
    flat: str  # what is typed, or the hint in grey
    flat_hint: bool
    pin_label: str
    pin: str
    active: str  # "flat" or "pin"
    keypad: KeypadView
    error: str
    code_button: str = ""  # "text me a code": the second field becomes the one-time code


@dataclass(frozen=True)
class AccountView:
    greeting: str
    balance: str
    arrears: str
    actions: tuple[Row, ...]  # id = screen to open, value = count


@dataclass(frozen=True)
class ListView:
    """Requests, fees, held items, notices, emergency numbers: a heading and rows."""

    heading: str
    summary: str
    rows: tuple[Row, ...]
    empty: str


@dataclass(frozen=True)
class RequestView:
    number: str
    title: str
    state: str
    promised: str
    next_step: str
    timeline_label: str
    timeline: tuple[Row, ...]


@dataclass(frozen=True)
class PickupView:
    prompt: str
    scan_hint: str
    code: str
    keypad: KeypadView
    error: str
    countdown: str  # "" unless locked
    locked: bool


@dataclass(frozen=True)
class FoundView:
    label: str
    location: str
    lines: tuple[str, ...]
    confirm: str


@dataclass(frozen=True)
class MessageView:
    title: str
    number_label: str
    number: str
    body: str
    ok: bool  # False: a refusal (shown in the hotline's red)
    button: str


# -- builders ---------------------------------------------------------------------------------


def attract_view(info: Json | None, notices: list[Json], lang: Lang, fallback_title: str,
                 fallback_place: str) -> AttractView:
    title, place, banner = fallback_title, fallback_place, ""
    if info:
        site, kiosk = info.get("site") or {}, info.get("kiosk") or {}
        title = pick(lang, site.get("name_zh", ""), site.get("name_en", "")) or title
        place = pick(lang, kiosk.get("name_zh", ""), kiosk.get("name_en", "")) or place
        incident = info.get("incident")
        if incident:
            message = pick(lang, incident.get("message_zh", ""), incident.get("message_en", ""))
            banner = f"{say('incident', lang)}：{message}" if lang == "zh" else (
                f"{say('incident', lang)}: {message}")
    return AttractView(
        title=title,
        place=place,
        banner=banner,
        notices=notice_rows(notices, lang)[:3],
        prompt=say("touch_start", lang),
    )


def notice_rows(notices: list[Json], lang: Lang) -> tuple[Row, ...]:
    return tuple(
        Row(title=pick(lang, n.get("title_zh", ""), n.get("title_en", "")),
            detail=pick(lang, n.get("body_zh", ""), n.get("body_en", "")),
            id=str(n.get("id", "")))
        for n in notices
    )


def contacts_view(info: Json | None, hotline: str, lang: Lang) -> ListView:
    rows = [Row(title=say("hotline_title", lang), value=hotline)]
    for e in (info or {}).get("emergency") or []:
        if str(e.get("phone", "")) == hotline:
            continue  # the hotline is the first row already
        rows.append(Row(title=pick(lang, e.get("label_zh", ""), e.get("label_en", "")),
                        value=str(e.get("phone", ""))))
    summary = "" if info else say("emergency_fallback", lang)
    return ListView(heading=say("contacts", lang), summary=summary, rows=tuple(rows), empty="")


def item_view(item: Any, lang: Lang, price: str, logged_in: bool) -> ItemView:
    from kiosk.wording import department_label, sla_label

    return ItemView(
        id=item.id,
        title=pick(lang, item.name_zh, item.name_en),
        price=price,
        lines=(say("department", lang, dept=department_label(item.department, lang)),
               say("promise", lang, sla=sla_label(item.sla, lang))),
        order=say("order" if logged_in else "order_login", lang),
    )


def keypad_view(allow_dash: bool, lang: Lang, ok_key: str = "ok") -> KeypadView:
    return KeypadView(keys=keys_for(allow_dash), ok=say(ok_key, lang))


def login_view(flat: Entry, pin: Entry, active: str, error: str, lang: Lang,
               method: str = "pin") -> LoginView:
    """`method` "otp": the second field takes the one-time code sent by SMS."""
    return LoginView(
        card_prompt=say("login_card", lang),
        or_text=say("login_or", lang),
        flat_label=say("flat", lang),
        flat=flat.display or say("flat_hint", lang),
        flat_hint=not flat.value,
        pin_label=say("code" if method == "otp" else "pin", lang),
        pin=pin.display,
        active=active,
        keypad=keypad_view(allow_dash=active == "flat", lang=lang, ok_key="login"),
        error=error,
        code_button=say("send_code", lang),
    )


def account_view(me: Json, lang: Lang) -> AccountView:
    arrears = float(me.get("arrears") or 0)
    return AccountView(
        greeting=say("hello", lang, name=mask_name(str(me.get("name_masked", "")))),
        balance=f"{say('balance', lang)}  {format_money(me.get('balance'))}",
        arrears=f"{say('arrears', lang)}  {format_money(arrears)}" if arrears > 0 else "",
        actions=(
            Row(say("my_requests", lang), id="requests",
                value=say("open_requests", lang, n=me.get("open_requests", 0))),
            Row(say("my_fees", lang), id="fees", value=format_money(me.get("balance"))),
            Row(say("my_items", lang), id="items",
                value=say("held_items", lang, n=me.get("held_items", 0))),
        ),
    )


def requests_view(requests: list[Json], vocab: Vocabulary, tz: ZoneInfo,
                  lang: Lang) -> ListView:
    rows = tuple(
        Row(title=pick(lang, r.get("title_zh", ""), r.get("title_en", "")),
            detail=_request_detail(r, tz, lang),
            value=vocab.state(str(r.get("state", "")), lang),
            id=str(r["id"]))
        for r in requests
    )
    return ListView(heading=say("my_requests", lang), summary="", rows=rows,
                    empty=say("no_requests", lang))


def _request_detail(r: Json, tz: ZoneInfo, lang: Lang) -> str:
    parts = [str(r.get("number", ""))]
    if r.get("promised_by") and r.get("state") not in ("closed", "cancelled", "completed"):
        parts.append(say("promised_by", lang, at=format_time(r["promised_by"], tz, lang)))
    return "  ·  ".join(p for p in parts if p)


def request_view(r: Json, vocab: Vocabulary, tz: ZoneInfo, lang: Lang) -> RequestView:
    next_step = pick(lang, r.get("next_step_zh", ""), r.get("next_step_en", ""))
    return RequestView(
        number=str(r.get("number", "")),
        title=pick(lang, r.get("title_zh", ""), r.get("title_en", "")),
        state=vocab.state(str(r.get("state", "")), lang),
        promised=say("promised_by", lang, at=format_time(r["promised_by"], tz, lang))
        if r.get("promised_by") else "",
        next_step=say("next_step", lang, text=next_step) if next_step else "",
        timeline_label=say("timeline", lang),
        timeline=tuple(
            Row(title=vocab.state(str(step.get("state", "")), lang) if vocab.loaded
                else pick(lang, step.get("label_zh", ""), step.get("label_en", ""))
                or str(step.get("state", "")),
                value=format_time(step.get("at"), tz, lang))
            for step in r.get("timeline", [])
        ),
    )


def fees_view(fees: Json, lang: Lang) -> ListView:
    rows = []
    for st in fees.get("statements", []):
        charges = "  ".join(
            f"{pick(lang, c.get('label_zh', ''), c.get('label_en', ''))} "
            f"{format_money(c.get('amount'))}"
            for c in st.get("charges", [])
        )
        status = say({"paid": "fee_paid", "part": "fee_part"}.get(st.get("status", ""),
                                                                   "fee_unpaid"), lang)
        total = sum(float(c.get("amount") or 0) for c in st.get("charges", []))
        due = say("due", lang, date=st.get("due", "")) if st.get("due") else ""
        rows.append(Row(title=say("statement", lang, period=st.get("period", "")),
                        detail="  ·  ".join(p for p in (charges, due) if p),
                        value=f"{format_money(total)}  {status}"))
    arrears = float(fees.get("arrears") or 0)
    summary = f"{say('balance', lang)}  {format_money(fees.get('balance'))}"
    if arrears > 0:
        summary += f"    {say('arrears', lang)}  {format_money(arrears)}"
    return ListView(heading=say("my_fees", lang), summary=summary, rows=tuple(rows), empty="")


def items_view(items: list[Json], tz: ZoneInfo, lang: Lang) -> ListView:
    rows = tuple(
        Row(title=f"{kind_label(str(i.get('kind', '')), lang)}  {i.get('serial', '')}",
            detail=say("where_desk" if i.get("where") == "desk" else "where_kiosk", lang),
            value=pieces(int(i.get("pieces") or 1), lang),
            id=str(i.get("id", "")))
        for i in items
    )
    return ListView(heading=say("my_items", lang), summary="", rows=rows,
                    empty=say("no_items", lang))


def pickup_view(code: Entry, error: str, locked_for: float, lang: Lang) -> PickupView:
    locked = locked_for > 0
    return PickupView(
        prompt=say("pickup_code", lang),
        scan_hint=say("pickup_scan_card", lang),
        code=code.display,
        keypad=keypad_view(allow_dash=False, lang=lang, ok_key="find"),
        error=say("pickup_locked", lang) if locked else error,
        countdown=say("try_again_in", lang, time=format_countdown(locked_for)) if locked else "",
        locked=locked,
    )


def found_view(item: Json, tz: ZoneInfo, lang: Lang) -> FoundView:
    n = int(item.get("pieces") or 1)
    pieces_text = pieces(n, lang)
    return FoundView(
        label=say("found_at", lang),
        location=str(item.get("location", "")),
        lines=(
            f"{kind_label(str(item.get('kind', '')), lang)}  {item.get('serial', '')}  ·  "
            f"{pieces_text}",
            say("for_flat", lang, unit=item.get("unit_masked", "")),
        ),
        confirm=say("confirm_pickup", lang, n=n),
    )
