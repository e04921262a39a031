"""What the stand-in makes up: flat 1-2-1502's requests and held items (with their pickup codes),
the report categories, notices and fee statement, the lockout limits, and how it writes times
(`iso`) and names (`mask`) as the control room does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from config.privacy import mask_name
from controlroom.services.requests.wording import STATE_LABELS

Json = dict[str, Any]
PICKUP_CODE = "483920"
DESK_CODE = "771100"
PIN_LIMIT, PIN_LOCK_S = 5, 300
CODE_LIMIT, CODE_LOCK_S = 10, 120


def mask(name: str) -> str:
    return mask_name(name)  # the control room's rule (config/privacy.py)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_request(n: int, kind: str, state: str, zh: str, en: str, at: datetime,
                 promised: datetime | None, next_zh: str, next_en: str) -> Json:
    labels = STATE_LABELS  # the control room's one vocabulary, not a copy
    order = ["received", "assigned", "in_progress", "closed"]
    steps = order[: order.index(state) + 1] if state in order else ["received"]
    return {"id": n, "number": f"SR-{at:%Y%m%d}-{n:04d}", "type": kind, "state": state,
            "title_zh": zh, "title_en": en, "description": "", "created_at": iso(at),
            "promised_by": iso(promised) if promised else None,
            "next_step_zh": next_zh, "next_step_en": next_en,
            "timeline": [{"state": s, "at": iso(at + timedelta(minutes=7 * i)),
                          "label_zh": labels[s][0], "label_en": labels[s][1]}
                         for i, s in enumerate(steps)]}


def first_requests(now: datetime) -> dict[str, list[Json]]:
    """Flat 1-2-1502's requests when the stand-in starts: one in hand, one closed."""
    return {"1-2-1502": [
        make_request(3, "repair", "in_progress", "水龙头漏水", "Leaking tap",
                     now - timedelta(hours=2), now + timedelta(minutes=40),
                     "师傅正在处理，完成后请验收", "The plumber is on it; please check "
                     "the work when done"),
        make_request(2, "service_order", "closed", "家电维修", "Appliance repair",
                     now - timedelta(days=3), None, "", ""),
    ]}


def first_items(now: datetime) -> list[Json]:
    """Flat 1-2-1502's held items: a parcel collected at the kiosk, a handover at the desk."""
    return [
        {"id": 11, "serial": "P-20261122-011", "kind": "parcel", "pieces": 1,
         "carrier": "SF", "received_at": iso(now - timedelta(hours=5)), "where": "kiosk",
         "unit": "1-2-1502", "code": PICKUP_CODE, "location": "A-03", "released_at": None},
        {"id": 12, "serial": "H-20261121-004", "kind": "handover", "pieces": 1,
         "carrier": "", "received_at": iso(now - timedelta(days=1)), "where": "desk",
         "unit": "1-2-1502", "code": DESK_CODE, "location": "Desk", "released_at": None},
    ]


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
