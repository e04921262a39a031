"""The estate manager's monthly report of a month of generated activity (issue 16, acceptance
4): every figure against a count made here by hand from the generator's own records; the PDF
renders Chinese (page 1 turned into a PNG under var/test-artifacts/), and the Excel file opens
with openpyxl showing the same figures."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from controlroom.alarms.models import Alert
from controlroom.services.desk.models import HeldItem, KeyCustody, KeyMovement
from controlroom.services.requests.models import ServiceRequest
from tests.support.browser import ARTIFACTS
from tests.utils import auth

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 10, 1, tzinfo=SH)  # October 2026, site time
END = datetime(2026, 11, 1, tzinfo=SH)
TYPES = ("repair", "urgent_repair", "complaint", "enquiry", "suggestion", "help",
         "service_order", "assistance")
MANAGER = ("supervisor", "supervisor123")


@dataclass
class Req:
    number: str
    type: str
    building: str
    severity: str
    valid: bool | None
    state: str
    created: datetime
    closed: datetime | None
    confirmed: bool
    respond_due: datetime
    respond_met: datetime | None
    resolve_due: datetime
    resolve_met: datetime | None
    ratings: tuple[int, int, int] | None


def at(rng: random.Random, since: datetime, until: datetime) -> datetime:
    return since + timedelta(seconds=rng.randrange(int((until - since).total_seconds())))


def generate(rng: random.Random) -> dict[str, list[Any]]:
    reqs: list[Req] = []
    for i in range(90):
        # Most in October; some in September and November, which must not count (except a
        # September request closed in October: its return visit does).
        span = rng.choice([(START, END)] * 8 + [(START - timedelta(days=30), START),
                                                (END, END + timedelta(days=20))])
        created = at(rng, *span)
        kind = rng.choice(TYPES)
        state = rng.choice(["closed", "closed", "in_progress", "received", "cancelled"])
        closed = created + timedelta(hours=rng.choice([2, 30, 200])) if state == "closed" else None
        respond_due = created + timedelta(minutes=10)
        respond_met = rng.choice([None, respond_due - timedelta(minutes=3),
                                  respond_due + timedelta(minutes=4), respond_due])
        resolve_due = created + timedelta(hours=8)
        resolve_met = rng.choice([None, resolve_due - timedelta(hours=1),
                                  resolve_due + timedelta(hours=2)])
        rated = closed is not None and rng.random() < 0.7
        reqs.append(Req(f"SR-T-{i:04d}", kind, rng.choice("12"),
                        rng.choice(["ordinary", "serious"]) if kind == "complaint" else "ordinary",
                        rng.choice([True, False, None]) if kind == "complaint" else None,
                        state, created, closed, state == "closed" and rng.random() < 0.8,
                        respond_due, respond_met, resolve_due, resolve_met,
                        (rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5))
                        if rated else None))
    # On the last evening: its resolve promise falls due after the month: pending, not broken.
    late = END - timedelta(minutes=5)
    reqs.append(Req("SR-T-LATE", "repair", "1", "ordinary", None, "in_progress", late, None,
                    False, late + timedelta(minutes=10), late + timedelta(minutes=2),
                    late + timedelta(hours=8), None, None))

    alerts = []
    for _ in range(70):
        raised = at(rng, START - timedelta(days=3), END + timedelta(days=3))
        ack = rng.choice([10, 30, 31, 45, 60, 61, 300, None])
        alerts.append({"priority": rng.randint(1, 4), "raised": raised, "test": rng.random() < 0.15,
                       "ack": None if ack is None else raised + timedelta(seconds=ack)})

    items = []
    for _ in range(50):
        received = at(rng, START - timedelta(days=45), END)
        picked = rng.choice([None, received + timedelta(days=rng.choice([0, 3, 20, 40]))])
        items.append({"kind": rng.choice(["parcel", "deposit", "handover", "key"]),
                      "received": received, "picked": picked})

    keys = [  # (unit, taken, [(direction, at)])
        ("1-2-1502", START - timedelta(days=20), [("out", START - timedelta(days=10)),
                                                  ("back", START - timedelta(days=9)),
                                                  ("out", START + timedelta(days=5)),
                                                  ("back", START + timedelta(days=5, hours=3))]),
        ("2-1-0304", START + timedelta(days=2), [("out", START + timedelta(days=3)),
                                                 ("back", START + timedelta(days=4)),
                                                 ("returned", START + timedelta(days=12))]),
        ("1-1-0101", START + timedelta(days=25), [("out", END + timedelta(hours=1))]),
        ("2-1-0101", START - timedelta(days=60), [("returned", END + timedelta(days=2))]),
    ]
    return {"requests": reqs, "alerts": alerts, "items": items, "keys": keys}


def store(client: TestClient, g: dict[str, list[Any]]) -> None:
    with client.app.state.sessions.begin() as s:  # type: ignore[attr-defined]
        for r in g["requests"]:
            s.add(ServiceRequest(
                number=r.number, site="riverside", unit="1-2-1502", building=r.building,
                type=r.type, severity=r.severity, valid=r.valid, title_zh="t", title_en="t",
                channel="desk", state=r.state, created_by="frontdesk", created_at=r.created,
                updated_at=r.created, closed_at=r.closed, resident_confirmed=r.confirmed,
                promises={"respond": {"due": r.respond_due.isoformat(),
                                      "met": r.respond_met and r.respond_met.isoformat()},
                          "resolve": {"due": r.resolve_due.isoformat(),
                                      "met": r.resolve_met and r.resolve_met.isoformat()}},
                rating_attitude=r.ratings and r.ratings[0],
                rating_quality=r.ratings and r.ratings[1],
                rating_punctuality=r.ratings and r.ratings[2]))
        for a in g["alerts"]:
            s.add(Alert(kind="gas_alarm", priority=a["priority"], state="resolved",
                        condition="normal", site="riverside", building="1", unit="1-2-1502",
                        device="gas-1-2-1502", raised_at=a["raised"], updated_at=a["raised"],
                        acknowledged_at=a["ack"], test=a["test"], detail={}))
        for n, i in enumerate(g["items"]):
            s.add(HeldItem(serial=f"T-{n:05d}", unit="1-2-1502", building="1", kind=i["kind"],
                           state="held" if i["picked"] is None else "released", location="A-01",
                           received_at=i["received"], received_by="frontdesk",
                           code=f"{n:06d}", picked_up_at=i["picked"]))
        for unit, taken, moves in g["keys"]:
            k = KeyCustody(unit=unit, label=f"K-{unit}", declaration_ref="D-1",
                           declaration_signed_at=taken.date(), purpose="", state="in",
                           taken_at=taken, taken_by="frontdesk")
            s.add(k)
            s.flush()
            for direction, when in moves:
                s.add(KeyMovement(key_id=k.id, at=when, direction=direction, to_whom="x",
                                  why="y", by="frontdesk"))


def hand_count(g: dict[str, list[Any]]) -> dict[str, Any]:
    """The figures counted one by one from the generator's records (monthly.py's definitions,
    written out again here without its code)."""
    def inside(t: datetime | None) -> bool:
        return t is not None and START <= t < END

    oct_reqs = [r for r in g["requests"] if inside(r.created)]
    by_type: dict[str, int] = {}
    by_building: dict[str, int] = {}
    for r in oct_reqs:
        by_type[r.type] = by_type.get(r.type, 0) + 1
        by_building[r.building] = by_building.get(r.building, 0) + 1
    sla = {}
    overdue = set()
    for name in ("respond", "resolve"):
        kept = broken = pending = 0
        for r in oct_reqs:
            due, met = (r.respond_due, r.respond_met) if name == "respond" else (
                r.resolve_due, r.resolve_met)
            if met is not None and met <= due:
                kept += 1
            elif met is not None or due < END:
                broken += 1
                overdue.add(r.number)
            else:
                pending += 1
        sla[name] = (kept, broken, pending)
    complaints = [r for r in oct_reqs if r.type == "complaint"]
    closed = [r for r in g["requests"] if inside(r.closed)]
    rated = [r for r in closed if r.ratings]
    alarms = {}
    for p in (1, 2, 3, 4):
        mine = [a for a in g["alerts"] if inside(a["raised"]) and not a["test"]
                and a["priority"] == p]
        w30 = len([a for a in mine if a["ack"] and (a["ack"] - a["raised"]).total_seconds() <= 30])
        w60 = len([a for a in mine if a["ack"] and (a["ack"] - a["raised"]).total_seconds() <= 60])
        alarms[p] = (len(mine), w30, w60)
    held = [i for i in g["items"] if i["received"] < END and (i["picked"] is None
                                                              or i["picked"] >= END)]
    received: dict[str, int] = {}
    for i in g["items"]:
        if inside(i["received"]):
            received[i["kind"]] = received.get(i["kind"], 0) + 1
    return {
        "total": len(oct_reqs), "by_type": by_type, "by_building": by_building, "sla": sla,
        "overdue": sorted(overdue),
        "complaints": (len(complaints), len([r for r in complaints if r.severity == "serious"]),
                       len([r for r in complaints if r.valid is True]),
                       len([r for r in complaints if r.valid is False]),
                       len([r for r in complaints if r.state == "closed" and r.confirmed])),
        "closed": len(closed), "rated": len(rated),
        "attitude": round(sum(r.ratings[0] for r in rated) / len(rated), 2),
        "alarms": alarms,
        "tests": len([a for a in g["alerts"] if inside(a["raised"]) and a["test"]]),
        "received": received,
        "released": len([i for i in g["items"] if inside(i["picked"])]),
        "held": len(held),
        "held14": len([i for i in held if END - i["received"] >= timedelta(days=14)]),
        "held30": len([i for i in held if END - i["received"] >= timedelta(days=30)]),
    }


@pytest.fixture
def month(clocked_client: TestClient) -> tuple[TestClient, dict[str, Any]]:
    g = generate(random.Random(16))
    store(clocked_client, g)
    return clocked_client, hand_count(g)


def test_every_figure_of_the_month_matches_a_hand_count(
        month: tuple[TestClient, dict[str, Any]]) -> None:
    client, want = month
    r = client.get("/api/reports/monthly", params={"month": "2026-10"},
                   headers=auth(client, *MANAGER))
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["requests_total"] == want["total"] > 50
    assert rep["by_type"] == dict(sorted(want["by_type"].items()))
    assert rep["by_building"] == want["by_building"]
    assert sum(sum(v.values()) for v in rep["by_building_type"].values()) == want["total"]
    sla = {p["promise"]: (p["kept"], p["broken"], p["pending"]) for p in rep["sla"]}
    assert sla["respond"] == want["sla"]["respond"]
    assert sla["resolve"] == want["sla"]["resolve"]
    assert sla["resolve"][2] >= 1  # the last evening's promise is still pending
    assert sla["on_site"] == (0, 0, 0)
    kept, broken, _ = want["sla"]["respond"]
    respond = next(p for p in rep["sla"] if p["promise"] == "respond")
    assert respond["compliance"] == pytest.approx(kept / (kept + broken))
    assert rep["overdue"] == want["overdue"] and "SR-T-LATE" not in rep["overdue"]
    c = rep["complaints"]
    assert (c["total"], c["serious"], c["valid"], c["invalid"], c["closed_confirmed"]) == \
        want["complaints"]
    assert (rep["closed"], rep["rated"]) == (want["closed"], want["rated"])
    assert rep["rating_avg"]["attitude"] == want["attitude"]
    assert rep["return_visit_ratio"] == pytest.approx(want["rated"] / want["closed"])
    for a in rep["alarms"]:
        n, w30, w60 = want["alarms"][a["priority"]]
        assert a["count"] == n
        assert a["within_30s"] == (pytest.approx(w30 / n) if n else None)
        assert a["within_60s"] == (pytest.approx(w60 / n) if n else None)
    assert rep["test_events_excluded"] == want["tests"] > 0
    assert rep["alarms_total"] == sum(v[0] for v in want["alarms"].values())
    assert rep["items_received"] == dict(sorted(want["received"].items()))
    assert (rep["items_released"], rep["items_held_at_end"], rep["items_held_14d"],
            rep["items_held_30d"]) == (want["released"], want["held"], want["held14"],
                                       want["held30"])
    # Keys: two taken in October, two movements out in October, three in custody at its end
    # (1-2-1502, 1-1-0101, and 2-1-0101, returned only after it; 2-1-0304 was returned).
    assert (rep["keys_taken"], rep["keys_lent"], rep["keys_in_custody"]) == (2, 2, 3)


def test_the_pdf_renders_chinese_and_the_excel_has_the_same_figures(
        month: tuple[TestClient, dict[str, Any]]) -> None:
    import pymupdf  # the dev extra's PDF renderer

    client, want = month
    h = auth(client, *MANAGER)
    pdf = client.get("/api/reports/monthly.pdf", params={"month": "2026-10"}, headers=h)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    doc = pymupdf.open(stream=pdf.content, filetype="pdf")
    text = "".join(page.get_text() for page in doc)
    assert "江畔花园 月度服务报告" in text and "服务承诺达成" in text
    assert "(按类型 by type)" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for n, page in enumerate(doc):
        page.get_pixmap(dpi=110).save(str(ARTIFACTS / f"monthly-report-p{n + 1}.png"))

    xlsx = client.get("/api/reports/monthly.xlsx", params={"month": "2026-10"}, headers=h)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells: dict[str, list[Any]] = {}
    for r in sheet.iter_rows(values_only=True):
        if r[0]:
            cells.setdefault(str(r[0]), list(r[1:]))  # the first "合计 total" is the requests'
    assert cells["合计 total"][0] == want["total"]
    assert cells["维修 repair"][0] == want["by_type"].get("repair", 0)
    assert cells["响应 respond"][:3] == list(want["sla"]["respond"])
    assert cells["解决 resolve"][:3] == list(want["sla"]["resolve"])
    assert cells["已回访评分 rated"][0] == want["rated"]
    assert cells["月末在存 held at month end"][0] == want["held"]
    assert cells["P1"][0] == want["alarms"][1][0]
    assert cells["P4"][0] == want["alarms"][4][0]
    assert cells["月末托管钥匙 keys in custody at month end"][0] == 3


def test_only_the_manager_reads_it_and_a_bad_month_is_named(
        month: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = month
    assert client.get("/api/reports/monthly", params={"month": "2026-10"},
                      headers=auth(client, "frontdesk", "frontdesk123")).status_code == 403
    bad = client.get("/api/reports/monthly", params={"month": "2026-13"},
                     headers=auth(client, *MANAGER))
    assert bad.status_code == 422 and "month" in bad.json()["detail"]
    assert datetime(2026, 11, 22, tzinfo=UTC) > END  # the hand clock is after the month
