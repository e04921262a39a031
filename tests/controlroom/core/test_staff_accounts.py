"""Staff accounts in the database (controlroom/core/staff_accounts.py) and the site file's
part in them (accounts.sync_accounts): the site file seeds and keeps its own accounts in
step; once `users` has changed an account the site file leaves it alone; disabling and
resetting end the account's sessions (its session version moves)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from config import load_site
from controlroom.core import staff_accounts
from controlroom.core.accounts import session_current, sync_accounts
from controlroom.core.db import make_engine, make_sessionmaker
from controlroom.core.models import AuditEntry, User
from controlroom.core.security import Passwords
from controlroom.migrations import migrate

AT = datetime(2026, 12, 1, tzinfo=UTC)
PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    engine = make_engine(f"sqlite:///{tmp_path}/accounts.db")
    migrate(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def _user(sessions: sessionmaker, username: str) -> User:
    with sessions() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return user


def test_password_refusals() -> None:
    assert staff_accounts.password_refusal("short") is not None
    assert staff_accounts.password_refusal("maintenance123") == "that is a demo password"
    assert staff_accounts.password_refusal("a-good-long-password") is None


def test_disable_and_reset_end_sessions_and_the_site_file_leaves_them_alone(
        sessions: sessionmaker) -> None:
    site = load_site()
    sync_accounts(sessions, site, PASSWORDS)
    assert session_current(sessions, "operator", 0)
    staff_accounts.disable(sessions, AT, "cli:root", "operator")
    assert not session_current(sessions, "operator", 0)
    assert not session_current(sessions, "operator", 1)  # disabled: no version will do
    sync_accounts(sessions, site, PASSWORDS)  # a restart does not bring it back
    assert not _user(sessions, "operator").active

    staff_accounts.reset(sessions, PASSWORDS, AT, "cli:root", "operator", "a-new-password!")
    op = _user(sessions, "operator")
    assert op.active and op.origin == "db" and op.session_version == 2
    assert session_current(sessions, "operator", 2)
    sync_accounts(sessions, site, PASSWORDS)  # nor undo the reset
    assert PASSWORDS.verify(_user(sessions, "operator").password_hash, "a-new-password!")


def test_the_site_file_keeps_its_own_accounts_in_step(sessions: sessionmaker) -> None:
    site = load_site()
    sync_accounts(sessions, site, PASSWORDS)
    staff_accounts.add(sessions, PASSWORDS, AT, "cli:root", "carol", "supervisor", "Carol",
                       "carol-long-password")
    changed = replace(site, staff={
        **{k: v for k, v in site.staff.items() if k != "maintenance"},
        "admin": replace(site.staff["admin"], password="", password_hash=PASSWORDS.hash(
            "admin-long-password"))})
    sync_accounts(sessions, changed, PASSWORDS)
    assert not _user(sessions, "maintenance").active  # gone from the site file
    assert _user(sessions, "carol").active  # made by `users`: not the site file's to drop
    admin = _user(sessions, "admin")
    assert admin.session_version == 1  # a changed password ends its sessions
    assert PASSWORDS.verify(admin.password_hash, "admin-long-password")
    with sessions() as s:
        trail = {(e.actor, e.action, e.target) for e in s.scalars(select(AuditEntry))}
    assert {("site file", "account_disabled", "maintenance"),
            ("site file", "password_changed", "admin"),
            ("cli:root", "account_added", "carol")} <= trail


def test_add_refuses_a_taken_name_and_an_unknown_role(sessions: sessionmaker) -> None:
    sync_accounts(sessions, load_site(), PASSWORDS)
    with pytest.raises(staff_accounts.AccountError, match="exists"):
        staff_accounts.add(sessions, PASSWORDS, AT, "cli", "operator", "admin", "", "x" * 12)
    with pytest.raises(staff_accounts.AccountError, match="role"):
        staff_accounts.add(sessions, PASSWORDS, AT, "cli", "dave", "boss", "", "x" * 12)
