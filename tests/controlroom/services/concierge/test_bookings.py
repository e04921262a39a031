"""Bookable services: a day's slots, and no slot booked twice, even by requests racing on
the real database (SQLite here, PostgreSQL again under BUTLER_TEST_DB=postgresql)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from config import load_site
from controlroom.core.db import Base, make_engine, make_sessionmaker
from controlroom.core.errors import Conflict
from controlroom.services.concierge.bookings import SERVICES, BookingService, slots
from controlroom.services.concierge.models import Booking
from tests.controlroom.conftest import T0
from tests.utils import auth

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)
DESK = ("frontdesk", "frontdesk123")


def test_a_days_slots_follow_the_services_hours_and_length() -> None:
    tennis = slots(SERVICES["tennis"], DAY, "Asia/Shanghai",
                   [datetime(2026, 11, 25, 8, 0, tzinfo=SH)])
    assert len(tennis) == 14 and tennis[0].start == datetime(2026, 11, 25, 7, 0, tzinfo=SH)
    assert [s.free for s in tennis[:3]] == [True, False, True]
    cleaning = slots(SERVICES["home-cleaning"], DAY, "Asia/Shanghai", [])
    assert [s.start.hour for s in cleaning] == [8, 10, 12, 14, 16]


def test_the_desk_books_a_slot_a_second_booking_is_refused_a_cancel_frees_it(
        clocked_client: TestClient) -> None:
    desk = auth(clocked_client, *DESK)
    start = datetime(2026, 11, 25, 10, 0, tzinfo=SH).isoformat()
    r = clocked_client.post("/api/bookings", headers=desk,
                            json={"service": "clubhouse", "start": start, "unit": "1-2-1502"})
    assert r.status_code == 201, r.text
    taken = clocked_client.post("/api/bookings", headers=desk,
                                json={"service": "clubhouse", "start": start,
                                      "unit": "2-1-0304"})
    assert taken.status_code == 409 and taken.json()["code"] == "slot_taken"
    day = clocked_client.get("/api/bookings/slots", headers=desk,
                             params={"service": "clubhouse", "day": "2026-11-25"}).json()
    ten = next(s for s in day["slots"]
               if datetime.fromisoformat(s["start"]) == datetime(2026, 11, 25, 10, tzinfo=SH))
    assert ten["free"] is False
    off = clocked_client.post("/api/bookings", headers=desk, json={
        "service": "clubhouse", "start": datetime(2026, 11, 25, 10, 30, tzinfo=SH).isoformat(),
        "unit": "2-1-0304"})
    assert off.status_code == 422 and "does not begin a slot" in off.json()["detail"]
    assert clocked_client.post(f"/api/bookings/{r.json()['id']}/cancel",
                               headers=desk).status_code == 200
    again = clocked_client.post("/api/bookings", headers=desk,
                                json={"service": "clubhouse", "start": start,
                                      "unit": "2-1-0304"})
    assert again.status_code == 201


@pytest.fixture
def bookings(db_url: str) -> Iterator[tuple[BookingService, sessionmaker]]:
    engine = make_engine(db_url)
    if engine.dialect.name == "sqlite":
        Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    yield BookingService(sessions, load_site(), now=lambda: T0), sessions
    engine.dispose()


@pytest.mark.db
def test_racing_requests_for_one_slot_book_it_once(
        bookings: tuple[BookingService, sessionmaker]) -> None:
    svc, sessions = bookings
    start = datetime(2026, 11, 25, 9, 0, tzinfo=SH)
    units = ["1-2-1502", "2-1-0304", "1-1-0101", "1-1-0301", "2-1-0101", "1-1-0102",
             "1-1-0103", "1-1-0104"]
    gate = threading.Barrier(len(units))
    won: list[str] = []
    lost: list[str] = []
    errors: list[BaseException] = []

    def book(unit: str) -> None:
        gate.wait()
        try:
            svc.book("frontdesk", "tennis", start, unit)
            won.append(unit)
        except Conflict:
            lost.append(unit)
        except BaseException as exc:  # anything else fails the test below, named
            errors.append(exc)

    threads = [threading.Thread(target=book, args=(u,)) for u in units]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(won) == 1 and len(lost) == len(units) - 1
    with sessions() as s:
        booked = s.scalar(select(func.count()).select_from(Booking).where(
            Booking.state == "booked", Booking.start == start))
    assert booked == 1
    assert T0 < start.astimezone(UTC) < T0 + timedelta(days=5)
