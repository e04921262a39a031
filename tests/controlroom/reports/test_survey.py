"""The six-monthly satisfaction survey: answers recorded per flat (a second replaces the
first) and the half-year summarised against a hand count."""

from __future__ import annotations

from fastapi.testclient import TestClient

from controlroom.reports.survey import summarise
from tests.utils import auth

DESK = ("frontdesk", "frontdesk123")


def test_the_summary_of_three_answers_matches_a_hand_count() -> None:
    s = summarise("2026-H2", [(5, 5, 4, 3, "很好"), (3, 4, 2, 2, ""), (4, 3, 3, 5, "电梯慢")], 10)
    assert (s.answers, s.response_rate) == (3, 0.3)
    assert s.averages == {"overall": 4.0, "attitude": 4.0, "quality": 3.0, "punctuality": 3.33}
    assert s.satisfied_share == 2 / 3
    assert s.comments == ("很好", "电梯慢")
    empty = summarise("2026-H1", [], 10)
    assert empty.averages["overall"] is None and empty.satisfied_share is None


def test_the_desk_records_answers_and_the_manager_reads_the_half_year(
        client: TestClient) -> None:
    desk, manager = auth(client, *DESK), auth(client, "supervisor", "supervisor123")
    for unit, overall in (("1-2-1502", 5), ("2-1-0304", 2), ("2-1-0304", 4)):
        r = client.post("/api/reports/surveys", headers=desk, json={
            "period": "2026-H2", "unit": unit, "overall": overall, "attitude": 4,
            "quality": 4, "punctuality": 3, "comment": ""})
        assert r.status_code == 201, r.text
    s = client.get("/api/reports/surveys/2026-H2", headers=manager).json()
    flats = len(client.app.state.site.units)  # type: ignore[attr-defined]
    assert s["answers"] == 2 and s["flats"] == flats  # 2-1-0304's second answer replaced
    assert s["averages"]["overall"] == 4.5 and s["satisfied_share"] == 1.0
    bad = client.post("/api/reports/surveys", headers=desk, json={
        "period": "2026-Q3", "unit": "1-2-1502", "overall": 6, "attitude": 4, "quality": 4,
        "punctuality": 3})
    assert bad.status_code == 422
    assert client.get("/api/reports/surveys/2026-H2", headers=desk).status_code == 403
