"""A STAND-IN for the control room's kiosk API (docs/api/kiosk.md), for kiosk tests only.

Not the control room: a small in-memory implementation of the contract, written from the
contract page, so the kiosk can be tested while the real routes are built on other branches.
The residents, PINs and cards come from the site file; a few requests, a fee statement and
held items are made up for flat 1-2-1502.

- `FakeKioskApi().handle` is an `httpx.MockTransport` handler (controller tests);
- `python -m tests.support.fake_kiosk_api --port N` serves it over real HTTP (GUI tests that
  stop and restart "the control room", `make kiosk-screenshots` while the real routes are not
  on main).
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from config import Resident, Site, load_site
from config.privacy import mask_name
from controlroom.services.requests.wording import STATE_LABELS, TYPE_LABELS, vocabulary

Json = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]
PICKUP_CODE = "483920"
DESK_CODE = "771100"
PIN_LIMIT, PIN_LOCK_S = 5, 300
CODE_LIMIT, CODE_LOCK_S = 10, 120


def mask(name: str) -> str:
    return mask_name(name)  # the control room's rule (config/privacy.py)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Problem(Exception):
    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.body = status, {"detail": detail, "code": code, **extra}


class FakeKioskApi:
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
        self.requests: dict[str, list[Json]] = {"1-2-1502": [
            self._request(3, "repair", "in_progress", "水龙头漏水", "Leaking tap",
                          now - timedelta(hours=2), now + timedelta(minutes=40),
                          "师傅正在处理，完成后请验收", "The plumber is on it; please check "
                          "the work when done"),
            self._request(2, "service_order", "closed", "家电维修", "Appliance repair",
                          now - timedelta(days=3), None, "", ""),
        ]}
        self.next_id = 4
        self.visitors: list[Json] = []
        self.items: list[Json] = [
            {"id": 11, "serial": "P-20261122-011", "kind": "parcel", "pieces": 1,
             "carrier": "SF", "received_at": _iso(now - timedelta(hours=5)), "where": "kiosk",
             "unit": "1-2-1502", "code": PICKUP_CODE, "location": "A-03", "released_at": None},
            {"id": 12, "serial": "H-20261121-004", "kind": "handover", "pieces": 1,
             "carrier": "", "received_at": _iso(now - timedelta(days=1)), "where": "desk",
             "unit": "1-2-1502", "code": DESK_CODE, "location": "Desk", "released_at": None},
        ]

    def _request(self, n: int, kind: str, state: str, zh: str, en: str, at: datetime,
                 promised: datetime | None, next_zh: str, next_en: str) -> Json:
        labels = STATE_LABELS  # the control room's one vocabulary, not a copy
        order = ["received", "assigned", "in_progress", "closed"]
        steps = order[: order.index(state) + 1] if state in order else ["received"]
        return {"id": n, "number": f"SR-{at:%Y%m%d}-{n:04d}", "type": kind, "state": state,
                "title_zh": zh, "title_en": en, "description": "", "created_at": _iso(at),
                "promised_by": _iso(promised) if promised else None,
                "next_step_zh": next_zh, "next_step_en": next_en,
                "timeline": [{"state": s, "at": _iso(at + timedelta(minutes=7 * i)),
                              "label_zh": labels[s][0], "label_en": labels[s][1]}
                             for i, s in enumerate(steps)]}

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

    def _collect(self, token: str, unit: str, item_id: int, body: Json) -> tuple[int, Json]:
        """Collect by card (docs/api/kiosk.md): card sessions only, the flat's own items."""
        if self.session_methods.get(token) != "card":
            raise Problem(403, "card_required", "collect with the pickup code or your card")
        item = next((i for i in self.items if i["id"] == item_id and i["unit"] == unit), None)
        if item is None:
            raise Problem(404, "not_found", "no such item for this flat")
        return self._confirm({"code": item["code"], "pieces": body.get("pieces", 0)})

    def _one_request(self, unit: str, rid: int) -> Json:
        for q in self.requests.get(unit, []):
            if q["id"] == rid:
                return q
        raise Problem(404, "not_found", "no such request")

    def _info(self, building: str, kiosk: Any) -> Json:
        incident = None
        if self.incident:
            incident = {"kind": "incident", "building": building, "raised_at": _iso(self.now),
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

    def _resident_by(self, method: str, unit: str, body: Json) -> Resident | None:
        """The flat's resident whose PIN, or the flat's one-time code (used up), it is."""
        if method == "otp":
            if not body.get("code") or self.codes_sent.get(unit) != body.get("code"):
                return None
            del self.codes_sent[unit]
            return next((p for p in self.site.residents if p.unit == unit), None)
        return next((p for p in self.site.residents
                     if p.unit == unit and p.pin == body.get("pin")), None)

    def _login(self, body: Json, kiosk_id: str) -> tuple[int, Json]:
        method = body.get("method")
        resident = None
        if method == "card":
            card = str(body.get("card", "")).upper()
            resident = next((p for p in self.site.residents
                             if (p.card or "").upper() == card), None)
            if resident is None:
                raise Problem(401, "unknown_card", "this card is not known")
        elif method == "otp_request":  # a code "sent by SMS": kept in `codes_sent`
            unit = str(body.get("unit", ""))
            if any(p.unit == unit for p in self.site.residents):
                self.codes_sent[unit] = f"{secrets.randbelow(1_000_000):06d}"
            return 202, {"sent": True}
        elif method in ("pin", "otp"):
            unit = str(body.get("unit", ""))
            key = f"{kiosk_id}:{unit}"
            left = self.pin_locked.get(key, 0) - time.monotonic()
            if left > 0:
                raise Problem(429, "locked", "too many wrong PINs", retry_after_s=int(left) + 1)
            resident = self._resident_by(method, unit, body)
            if resident is None:
                n = self.pin_failures.get(key, 0) + 1
                self.pin_failures[key] = n
                if n >= PIN_LIMIT:
                    self.pin_failures[key] = 0
                    self.pin_locked[key] = time.monotonic() + PIN_LOCK_S
                    raise Problem(429, "locked", "too many wrong PINs", retry_after_s=PIN_LOCK_S)
                raise Problem(401, "wrong_pin", "wrong flat or PIN", attempts_left=PIN_LIMIT - n)
            self.pin_failures.pop(key, None)
        else:
            raise Problem(422, "invalid", "method: unknown")
        token = secrets.token_hex(8)
        self.sessions[token] = (resident.unit, resident.name, kiosk_id)
        self.session_methods[token] = str(method)
        return 201, {"session": token, "unit": resident.unit, "name_masked": mask(resident.name),
                     "expires_at": _iso(datetime.now(UTC) + timedelta(minutes=15)),
                     "idle_s": 120}

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
        q = self._request(n, str(kind), "received", title[0], title[1], now,
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
             "purpose": str(body.get("purpose", "")), "expected_at": _iso(at),
             "source": "kiosk", "state": "expected", "arrived_at": None, "id_last4": None,
             "left_at": None}
        self.visitors.append(v)
        return 201, v

    def _held(self, unit: str) -> list[Json]:
        return [i for i in self.items if i["unit"] == unit and not i["released_at"]]

    def _by_code(self, body: Json) -> Json:
        left = self.code_locked_until - time.monotonic()
        if left > 0:
            raise Problem(429, "locked", "pickup paused", retry_after_s=int(left) + 1)
        item = next((i for i in self.items if i["code"] == body.get("code")), None)
        if item is None:
            self.code_failures += 1
            if self.code_failures >= CODE_LIMIT:
                self.code_failures = 0
                self.code_locked_until = time.monotonic() + CODE_LOCK_S
                raise Problem(429, "locked", "pickup paused", retry_after_s=CODE_LOCK_S)
            raise Problem(404, "wrong_code", "wrong code",
                          attempts_left=CODE_LIMIT - self.code_failures)
        if item["released_at"]:
            raise Problem(410, "already_collected", "already collected",
                          released_at=item["released_at"])
        if item["where"] == "desk":
            raise Problem(409, "desk_only", "ID needed at the desk")
        return item

    def _public_item(self, item: Json) -> Json:
        return {"id": item["id"], "serial": item["serial"], "kind": item["kind"],
                "pieces": item["pieces"], "location": item["location"],
                "unit_masked": item["unit"][:-2] + "**", "received_at": item["received_at"]}

    def _lookup(self, body: Json) -> tuple[int, Json]:
        return 200, {"item": self._public_item(self._by_code(body))}

    def _confirm(self, body: Json) -> tuple[int, Json]:
        item = self._by_code(body)
        if int(body.get("pieces", 0)) != item["pieces"]:
            raise Problem(409, "pieces_mismatch", "pieces differ")
        item["released_at"] = _iso(datetime.now(UTC))
        return 200, {"item": self._public_item(item), "released_at": item["released_at"]}


CATEGORIES: Json = {
    "repair": [
        {"id": "water", "name_zh": "漏水 / 水管", "name_en": "Leak / pipes", "urgent": False},
        {"id": "electric", "name_zh": "电路 / 照明", "name_en": "Power / lights",
         "urgent": False},
        {"id": "door", "name_zh": "门窗 / 门锁", "name_en": "Doors / locks", "urgent": False},
        {"id": "lift", "name_zh": "电梯故障", "name_en": "Lift fault", "urgent": True},
        {"id": "gas_smell", "name_zh": "燃气异味", "name_en": "Gas smell", "urgent": True},
        {"id": "other", "name_zh": "其他", "name_en": "Other", "urgent": False},
    ],
    "complaint": [
        {"id": "noise", "name_zh": "噪音", "name_en": "Noise"},
        {"id": "cleaning", "name_zh": "清洁卫生", "name_en": "Cleaning"},
        {"id": "parking", "name_zh": "停车", "name_en": "Parking"},
        {"id": "staff", "name_zh": "服务态度", "name_en": "Staff attitude"},
        {"id": "other", "name_zh": "其他", "name_en": "Other"},
    ],
}

NOTICES: list[Json] = [
    {"id": 1, "title_zh": "11月25日停水通知", "title_en": "Water off on 25 Nov",
     "body_zh": "1号楼 9:00–12:00 更换水泵，请提前储水。",
     "body_en": "Building 1, 9:00–12:00: the pump is replaced. Please keep some water.",
     "kind": "water", "building": "1", "starts_at": "2026-11-20T00:00:00Z",
     "expires_at": "2026-11-26T00:00:00Z"},
    {"id": 2, "title_zh": "冬季燃气安全提示", "title_en": "Gas safety in winter",
     "body_zh": "使用燃气时请保持通风，闻到异味请勿开关电器，立即拨打服务热线。",
     "body_en": "Keep rooms aired when using gas. If you smell gas, touch no switch and call "
                "the hotline.",
     "kind": "gas", "building": None, "starts_at": "2026-11-01T00:00:00Z",
     "expires_at": "2027-03-01T00:00:00Z"},
]

FEES: Json = {
    "balance": -320.5, "arrears": 320.5, "currency": "CNY",
    "statements": [
        {"period": "2026-11", "charges": [
            {"label_zh": "物业费", "label_en": "Management fee", "amount": 280.5},
            {"label_zh": "车位管理费", "label_en": "Parking", "amount": 40.0}],
         "paid": 0.0, "due": "2026-11-15", "status": "unpaid"},
        {"period": "2026-10", "charges": [
            {"label_zh": "物业费", "label_en": "Management fee", "amount": 280.5},
            {"label_zh": "车位管理费", "label_en": "Parking", "amount": 40.0}],
         "paid": 320.5, "due": "2026-10-15", "status": "paid"},
    ],
    "payments": [{"at": "2026-10-12T02:00:00Z", "amount": 320.5, "method": "wechat"}],
}


# -- over real HTTP -----------------------------------------------------------------------------


def serve(api: FakeKioskApi, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = httpx.Request(self.command, f"http://fake{self.path}",
                                    headers=dict(self.headers.items()),
                                    content=self.rfile.read(length) if length else b"")
            response = api.handle(request)
            print(f"{self.command} {self.path} {response.status_code}", flush=True)
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        do_GET = do_POST = do_DELETE = _any

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def main() -> None:
    ap = argparse.ArgumentParser(description="stand-in kiosk API (tests only)")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--incident", action="store_true", help="report a building incident")
    args = ap.parse_args()
    server = serve(FakeKioskApi(incident=args.incident), args.port)
    print(f"fake kiosk API on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()


class FakeServerProcess:
    """The stand-in as a process of its own on `port`, which can be stopped and started again
    on the same port (an outage of "the control room" as the kiosk sees it)."""

    def __init__(self, port: int, log: Path, incident: bool = False) -> None:
        self.port, self.log, self.incident = port, log, incident
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [sys.executable, "-m", "tests.support.fake_kiosk_api", "--port", str(self.port)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([*args, *(["--incident"] if self.incident else [])],
                                         cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"the stand-in exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError("the stand-in did not answer within 30 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None
