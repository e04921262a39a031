"""FakeKioskApi: the stand-in's calls routed as the contract (docs/api/kiosk.md) has them. The
kiosk's info and the flat's requests, fees and visitors are answered here; logging in is in
logins.py, held items and their pickup in pickup.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from config import Site, load_site
from controlroom.services.requests.wording import TYPE_LABELS, vocabulary

from .data import (
    CATEGORIES,
    FEES,
    NOTICES,
    Json,
    first_items,
    first_requests,
    iso,
    make_request,
    mask,
)
from .logins import ResidentLogins
from .pickup import PickupCounter
from .problem import Problem


class FakeKioskApi(ResidentLogins, PickupCounter):
    def __init__(self, site: Site | None = None, incident: bool = False) -> None:
        self.site = site or load_site()
        self.lock = threading.Lock()
        self.tokens = {f"tok-{k.id}": k for k in self.site.kiosks.values()}
        self.sessions: dict[str, tuple[str, str, str]] = {}  # token -> unit, name, kiosk
        self.pin_failures: dict[str, int] = {}
        self.pin_locked: dict[str, float] = {}
        self.codes_sent: dict[str, str] = {}  # unit -> the one-time code "sent by SMS"
        self.code_failures = 0
        self.code_locked_until = 0.0
        self.deleted_sessions: list[str] = []
        self.session_methods: dict[str, str] = {}  # token -> pin, otp or card
        self.incident = incident
        now = datetime.now(UTC)
        self.now = now
        self.requests: dict[str, list[Json]] = first_requests(now)
        self.next_id = 4
        self.visitors: list[Json] = []
        self.items: list[Json] = first_items(now)

    # -- the HTTP surface --------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        try:
            with self.lock:
                status, body = self._route(request)
        except Problem as p:
            headers = {"Retry-After": str(p.body["retry_after_s"])} if (
                "retry_after_s" in p.body) else {}
            return httpx.Response(p.status, json=p.body, headers=headers)
        if status == 204:
            return httpx.Response(204)
        return httpx.Response(status, json=body)

    def _route(self, r: httpx.Request) -> tuple[int, Any]:
        path, method = r.url.path, r.method
        if path == "/api/health":
            return 200, {"status": "ok", "site": self.site.id}
        if path == "/api/auth/token":
            return self._token(r)
        auth = r.headers.get("authorization", "")
        kiosk = self.tokens.get(auth.removeprefix("Bearer "))
        if kiosk is None:
            return 401, {"detail": "not authenticated"}
        body = json.loads(r.content or b"{}") if method == "POST" else {}
        public: dict[tuple[str, str], Callable[[], tuple[int, Any]]] = {
            ("GET", "/api/kiosk/info"): lambda: (200, self._info(kiosk.building, kiosk)),
            ("GET", "/api/kiosk/categories"): lambda: (200, CATEGORIES),
            ("GET", "/api/kiosk/notices"): lambda: (200, {"notices": NOTICES}),
            ("GET", "/api/requests/vocabulary"): lambda: (200, vocabulary()),
            ("POST", "/api/kiosk/session"): lambda: self._login(body, kiosk.id),
            ("POST", "/api/kiosk/pickup/lookup"): lambda: self._lookup(body),
            ("POST", "/api/kiosk/pickup/confirm"): lambda: self._confirm(body),
        }
        if (method, path) in public:
            return public[(method, path)]()
        token = r.headers.get("x-resident-session", "")
        session = self.sessions.get(token)
        if session is None or session[2] != kiosk.id:
            raise Problem(401, "session_expired", "no resident is logged in")
        return self._resident_route(method, path, token, session[0], session[1], body)

    def _token(self, r: httpx.Request) -> tuple[int, Any]:
        form = dict(x.split("=", 1) for x in r.content.decode().split("&") if "=" in x)
        kiosk = self.site.kiosks.get(form.get("username", ""))
        if kiosk is None or kiosk.password != form.get("password"):
            raise Problem(401, "bad_credentials", "wrong username or password")
        return 200, {"access_token": f"tok-{kiosk.id}", "token_type": "bearer"}

    def _resident_route(self, method: str, path: str, token: str, unit: str, name: str,
                        body: Json) -> tuple[int, Any]:
        """The calls made with a resident logged in (`token` is the resident session)."""
        if (method, path) == ("DELETE", "/api/kiosk/session"):
            del self.sessions[token]
            self.deleted_sessions.append(token)
            return 204, None
        if path == "/api/kiosk/me":
            mine = self.requests.get(unit, [])
            return 200, {"unit": unit, "name_masked": mask(name), "building": unit[0],
                         "balance": -320.5, "arrears": 320.5,
                         "open_requests": sum(q["state"] != "closed" for q in mine),
                         "held_items": len(self._held(unit))}
        if (method, path) == ("GET", "/api/kiosk/requests"):
            return 200, {"requests": list(self.requests.get(unit, []))}
        if method == "GET" and path.startswith("/api/kiosk/requests/"):
            return 200, self._one_request(unit, int(path.rsplit("/", 1)[1]))
        if (method, path) == ("POST", "/api/kiosk/requests"):
            return self._create(unit, body)
        if path == "/api/kiosk/fees":
            return 200, FEES | {"unit": unit}
        if path == "/api/kiosk/visitors":
            return self._visitors(method, unit, body)
        if path == "/api/kiosk/items":
            return 200, {"items": [{k: v for k, v in i.items()
                                    if k not in ("code", "unit", "released_at")}
                                   for i in self._held(unit)]}
        if method == "POST" and path.startswith("/api/kiosk/items/") and path.endswith(
                "/collect"):
            return self._collect(token, unit, int(path.split("/")[4]), body)
        return 404, {"detail": f"no route {method} {path}"}

    def _one_request(self, unit: str, rid: int) -> Json:
        for q in self.requests.get(unit, []):
            if q["id"] == rid:
                return q
        raise Problem(404, "not_found", "no such request")

    def _info(self, building: str, kiosk: Any) -> Json:
        incident = None
        if self.incident:
            incident = {"kind": "incident", "building": building, "raised_at": iso(self.now),
                        "message_zh": "燃气报警处置中，请勿使用电梯", "message_en":
                        "Gas alarm being handled: do not use the lifts"}
        return {"site": {"id": self.site.id, "name_zh": self.site.name_zh,
                         "name_en": self.site.name_en},
                "kiosk": {"id": kiosk.id, "building": building, "name_zh": kiosk.name_zh,
                          "name_en": kiosk.name_en},
                "hotline": self.site.hotline,
                "emergency": [{"label_zh": "报警", "label_en": "Police", "phone": "110"},
                              {"label_zh": "火警", "label_en": "Fire", "phone": "119"},
                              {"label_zh": "急救", "label_en": "Ambulance", "phone": "120"},
                              {"label_zh": "燃气抢修", "label_en": "Gas emergency",
                               "phone": "96777"}],
                "incident": incident}

    def _create(self, unit: str, body: Json) -> tuple[int, Json]:
        kind = body.get("type")
        title = ("服务", "Service")
        if kind in ("service_order", "assistance"):
            item = next((i for m in self.site.menus for i in m.items if i.id == body.get("item")),
                        None)
            if item is None:
                raise Problem(422, "invalid", f"item: unknown menu item {body.get('item')!r}")
            title = (item.name_zh, item.name_en)
        elif kind in ("repair", "urgent_repair", "complaint"):
            group = "complaint" if kind == "complaint" else "repair"
            cat = next((c for c in CATEGORIES[group] if c["id"] == body.get("category")), None)
            if cat is None:
                raise Problem(422, "invalid", f"category: unknown {body.get('category')!r}")
            title = (cat["name_zh"], cat["name_en"])
        else:
            title = TYPE_LABELS.get(str(kind), title)
        now = datetime.now(UTC)
        n, self.next_id = self.next_id, self.next_id + 1
        q = make_request(n, str(kind), "received", title[0], title[1], now,
                         now + timedelta(minutes=10), "管家将在10分钟内联系您",
                         "Your butler will call you within 10 minutes")
        q["description"] = body.get("description", "")
        self.requests.setdefault(unit, []).insert(0, q)
        return 201, q

    def _visitors(self, method: str, unit: str, body: Json) -> tuple[int, Any]:
        """A visitor announced for the flat (POST), or the flat's visitors expected (GET)."""
        if method == "GET":
            return 200, {"data": sorted((v for v in self.visitors if v["unit"] == unit),
                                        key=lambda v: str(v["expected_at"]))}
        name = str(body.get("name", "")).strip()
        try:
            at = datetime.fromisoformat(str(body.get("expected_at", "")))
        except ValueError:
            at = None
        if not name or at is None or at.tzinfo is None:
            raise Problem(422, "invalid", "name and expected_at (with its offset) are needed")
        if not datetime.now(UTC) - timedelta(hours=12) <= at <= (
                datetime.now(UTC) + timedelta(days=7)):
            raise Problem(422, "invalid", "expected_at: a visit within the next 7 days")
        v = {"id": len(self.visitors) + 1, "unit": unit, "name": name,
             "purpose": str(body.get("purpose", "")), "expected_at": iso(at),
             "source": "kiosk", "state": "expected", "arrived_at": None, "id_last4": None,
             "left_at": None}
        self.visitors.append(v)
        return 201, v
