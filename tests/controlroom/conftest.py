from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

import controlroom.tables
from config import Settings, load_site
from controlroom.alarms.schemas import SignalIn
from controlroom.alarms.service import AlertService
from controlroom.alarms.stream import Broadcaster, Message
from controlroom.alarms.test_mode import TestModeService
from controlroom.app import create_app
from controlroom.core.db import Base, make_engine, make_sessionmaker
from controlroom.core.notify import ResidentMessage
from controlroom.core.security import Passwords
from tests.support import postgres
from tests.support.stack import Stack

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> datetime:
        self.at += timedelta(**kw)
        return self.at


class RecordingNotifier:
    """Records each (role, subject, body) as it is handed over (inside the caller's
    transaction), and the keywords of each in `details`."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.details: list[dict[str, Any]] = []

    def notify(self, role: str, subject: str, body: str, **kw: Any) -> None:
        self.sent.append((role, subject, body))
        self.details.append(kw)


class RecordingResidents:
    """A resident notifier that keeps each text message as (unit, phone, "zh en")."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def tell_resident(self, message: ResidentMessage, session: object = None) -> str | None:
        self.sent.append((message.unit, message.phone, f"{message.zh} {message.en}"))
        return None

    def to(self, unit: str) -> list[str]:
        return [m for u, _, m in self.sent if u == unit]


class RecordingBroadcaster(Broadcaster):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Message] = []

    def publish(self, msg: Message) -> None:
        self.sent.append(msg)


def _passwords() -> Passwords:
    # Cheap argon2 parameters: the tests are about the API, not about hashing cost.
    return Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """This test's own control-room database: SQLite, or PostgreSQL (BUTLER_TEST_DB)."""
    url = postgres.test_db_url(tmp_path, "cr")
    yield url
    postgres.drop(url)


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    site = load_site()
    settings = Settings(db_url, site.mqtt_url, "http://testserver", demo=True)
    with TestClient(create_app(site, settings, _passwords())) as c:
        yield c


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def clocked_client(db_url: str, clock: Clock, notifier: RecordingNotifier
                   ) -> Iterator[TestClient]:
    """The app with the alert service on `clock` and supervisors notified into `notifier`."""
    site = load_site()
    settings = Settings(db_url, site.mqtt_url, "http://testserver", demo=True)
    app = create_app(site, settings, _passwords(), notifier=notifier, clock=clock)
    with TestClient(app) as c:
        yield c


@dataclass
class Service:
    """An AlertService on its own database, with a hand clock and recording seams."""

    alerts: AlertService
    clock: Clock
    broadcaster: RecordingBroadcaster
    notifier: RecordingNotifier
    seq: list[int] = field(default_factory=lambda: [0])

    def signal(self, device: str = "gas-1-2-1502", kind: str = "gas_alarm", priority: int = 1,
               condition: str = "active", test: bool = False) -> int | None:
        """Apply a fresh signal (a new idempotency key each time); the alert id, if any."""
        self.seq[0] += 1
        applied = self.alerts.apply_signal(SignalIn(
            key=f"{device}:1:{self.seq[0]}/{kind}", device=device, kind=kind, priority=priority,
            condition=condition,  # type: ignore[arg-type]
            observed_at=self.clock(), test=test))
        return applied.alert.id if applied.alert else None


@pytest.fixture
def service(db_url: str, clock: Clock, notifier: RecordingNotifier) -> Iterator[Service]:
    site = load_site()
    engine = make_engine(db_url)
    if engine.dialect.name == "sqlite":
        Base.metadata.create_all(engine)  # a PostgreSQL test database is already at head
    sessions = make_sessionmaker(engine)
    broadcaster = RecordingBroadcaster()
    alerts = AlertService(sessions, broadcaster, site, TestModeService(sessions, site, clock),
                          now=clock, notifier=notifier)
    yield Service(alerts, clock, broadcaster, notifier)
    engine.dispose()


def signal(device: str = "gas-1-2-1502", kind: str = "gas_alarm", priority: int = 1,
           condition: str = "active", key: str | None = None) -> dict[str, object]:
    return {"key": key or f"{device}:1:1/{kind}", "device": device, "kind": kind,
            "priority": priority, "condition": condition,
            "observed_at": datetime.now(UTC).isoformat(), "detail": {"lel": 27.5}}


@pytest.fixture(scope="module")
def controlroom_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A real control-room process on a free port (on the test engine), for the module."""
    stack = Stack(tmp_path_factory.mktemp("controlroom"))
    try:
        stack.start_controlroom()
        yield stack
    finally:
        stack.group.stop_all()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for the console's browser tests (one per test module)."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def controlroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`python -m controlroom` on a free port (the console's browser tests), for the module."""
    from tests.support.browser import free_port, run_controlroom

    with run_controlroom(tmp_path_factory.mktemp("controlroom"), free_port()) as room:
        yield room
