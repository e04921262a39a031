"""`python -m controlroom users add|list|disable|reset|hash`: staff accounts in the database.

Passwords come from a prompt (twice, not echoed) or, when standard input is not a terminal,
its first line, so a script can pipe one in; never from the command line (it would sit in
the shell's history and the process list). Each change is audited with the operating-system
user as its actor.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from sqlalchemy.orm import sessionmaker

from config import Settings, load_site_or_exit
from config.settings import exit_on_bad_setting
from controlroom.core import staff_accounts
from controlroom.core.clock import utcnow
from controlroom.core.security import Passwords


def _say(text: str, err: bool = False) -> None:
    (sys.stderr if err else sys.stdout).write(text + "\n")


def read_password(prompt: str = "password: ") -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("again: ") != first:
        raise staff_accounts.AccountError("the two passwords differ")
    return first


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m controlroom users",
                                 description="Staff accounts in the control room's database.")
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--db-url", help="database URL (default: BUTLER_DB_URL or the site file)")
    sub = ap.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add an account (password from a prompt or stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=staff_accounts.ROLES)
    add.add_argument("--name", default="", help="the person's name (default: the username)")
    sub.add_parser("list", help="every account: username, role, active, origin, name")
    for name, what in (("disable", "disable an account and end its sessions"),
                       ("reset", "a new password (from a prompt or stdin); ends its sessions")):
        sub.add_parser(name, help=what).add_argument("username")
    sub.add_parser("hash", help="print the argon2 hash of a password (prompt or stdin), for "
                                "a site file's password_hash")
    return ap


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    site = load_site_or_exit(args.config)
    with exit_on_bad_setting():
        settings = Settings.for_controlroom(site)
    # Accounts made here are real ones: always the production hashing cost (never the test
    # suite's BUTLER_PASSWORD_HASH_COST=low); one hash is a fraction of a second.
    passwords = Passwords()
    if args.command == "hash":
        password = read_password()
        refusal = staff_accounts.password_refusal(password)
        if refusal:
            _say(f"error: {refusal}", err=True)
            return 2
        _say(passwords.hash(password))
        return 0

    from controlroom.core.db import make_engine, make_sessionmaker
    from controlroom.migrations import migrate

    engine = make_engine(args.db_url or settings.db_url)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    actions: dict[str, Callable[[], None]] = {
        "add": lambda: staff_accounts.add(sessions, passwords, utcnow(), _actor(),
                                          args.username, args.role, args.name,
                                          read_password()),
        "disable": lambda: staff_accounts.disable(sessions, utcnow(), _actor(), args.username),
        "reset": lambda: staff_accounts.reset(sessions, passwords, utcnow(), _actor(),
                                              args.username, read_password()),
        "list": lambda: _list(sessions),
    }
    try:
        actions[args.command]()
    except staff_accounts.AccountError as exc:
        _say(f"error: {exc}", err=True)
        return 2
    finally:
        engine.dispose()
    if args.command != "list":
        _say(f"{args.command}: {args.username}: done")
    return 0


def _list(sessions: sessionmaker) -> None:
    for row in staff_accounts.listing(sessions):
        state = "active" if row.active else "disabled"
        _say(f"{row.username}\t{row.role}\t{state}\t{row.origin}\t{row.name}")
