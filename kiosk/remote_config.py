"""The kiosk's configuration from the control room (`GET /api/kiosk/config`), not the site
file: `python -m kiosk --api URL --kiosk ID` knows only the API's address, its id and its own
secret. `site_from_config` turns the answer into the `Site` the kiosk's screens read, holding
only what the kiosk shows: no resident, no staff account, no device. `load_remote` is the one
call here that goes to the network (at start, before the window opens)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from config import Category, Kiosk, Menu, MenuItem, Site, SlaSettings
from kiosk.api_client import ApiError
from kiosk.wording import use_promises

if TYPE_CHECKING:
    from kiosk.kiosk_api import KioskApi

START_WAIT_S = 60.0  # how long a starting kiosk waits for the control room to answer

Json = dict[str, Any]


def _menus(raw: list[Json]) -> tuple[Menu, ...]:
    return tuple(
        Menu(m["id"], m["name_zh"], m["name_en"], m.get("note_zh", ""), m.get("note_en", ""),
             tuple(MenuItem(i["id"], i["name_zh"], i["name_en"], i["department"], i["sla"],
                            i.get("price"), bool(i.get("quote"))) for i in m["items"]))
        for m in raw)


def _categories(raw: list[Json]) -> tuple[Category, ...]:
    return tuple(Category(c["id"], c["name_zh"], c["name_en"], bool(c.get("urgent")))
                 for c in raw)


def site_from_config(cfg: Json, api_url: str) -> Site:
    """The kiosk's view of the site, from the control room's answer. A malformed answer is a
    `ValueError` naming what is missing."""
    try:
        site, kiosk, sla = cfg["site"], cfg["kiosk"], cfg["sla"]
        account = Kiosk(kiosk["id"], kiosk["building"], kiosk["name_zh"], kiosk["name_en"], "")
        return Site(
            id=site["id"], name_zh=site["name_zh"], name_en=site["name_en"],
            hotline=site["hotline"], timezone=site["timezone"], path=f"{api_url}/api/kiosk/config",
            mqtt_url="", api_url=api_url, db_url="", token_minutes=0, gateway_username="",
            supervision_interval_s=0, gateway_metrics_port=0, auto_valve_close=False,
            kiosk_fonts=tuple(cfg.get("fonts", ())), buildings={}, units={}, devices={},
            panels={}, staff={}, kiosks={account.id: account}, menus=_menus(cfg["menus"]),
            sla=SlaSettings(**{k: v for k, v in sla.items()},
                            holidays=frozenset[date](), workdays=frozenset[date]()),
            repair_categories=_categories(cfg.get("repair_categories", [])),
            complaint_categories=_categories(cfg.get("complaint_categories", [])),
            kiosk_heartbeat_s=float(cfg.get("heartbeat_s", 30)),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"the control room's kiosk configuration lacks {exc}") from None


def promises(cfg: Json) -> dict[str, tuple[str, str]]:
    """SLA class -> (zh, en) promise words, for kiosk.wording."""
    return {k: (str(v["zh"]), str(v["en"])) for k, v in (cfg.get("promises") or {}).items()}


def take_in(cfg: Json, api_url: str) -> Site:
    """The site the screens read from the control room's answer, its promise words put in
    use (a `ValueError` for a malformed answer, with nothing changed)."""
    site = site_from_config(cfg, api_url)
    use_promises(promises(cfg))
    return site


def load_remote(api: KioskApi, api_url: str, tell: Callable[[str], None],
                wait_s: float = START_WAIT_S) -> Site | int:
    """Sign in and fetch the configuration, waiting up to `wait_s` for a control room that
    is not answering yet; the site, or the exit code (the reason told)."""
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            site = take_in(api.config(), api_url)
        except ApiError as exc:
            if exc.status in (401, 403):
                tell(f"kiosk: error: the control room at {api_url} refused this kiosk: "
                     f"wrong --kiosk id or secret ({exc})")
                return 2
            if not exc.offline or time.monotonic() > deadline:
                tell(f"kiosk: error: no configuration from the control room at {api_url}: "
                     f"{exc}")
                return 1
            if not told:
                tell(f"kiosk: waiting for the control room at {api_url} ({exc}) ...")
                told = True
            time.sleep(1.0)  # a retry's pace, not a wait for a condition we could watch
            continue
        except ValueError as exc:
            tell(f"kiosk: error: {exc}")
            return 1
        return site
