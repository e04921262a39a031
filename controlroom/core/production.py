"""What stops the control room starting outside demo mode: the first problem, as one line.

Production is the default (BUTLER_DEMO=1 or `--demo` asks for the demo). Outside it the
control room refuses a missing, default or short token signing key, a password in plain
text in the site file, and a demo password (the packaged demo site file's, as text or as the
`password_hash` of the same account). Pure apart from reading the packaged demo site file;
`verify` is the password hasher's check.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import config
from config import Site

DEMO_SITE_FILE = Path(config.__file__).with_name("site.toml")  # the packaged demo site
MIN_SECRET_CHARS = 32
# Values that documentation, examples and tutorials put in a secret-key variable.
DEFAULT_SECRETS = frozenset({
    "change-me", "changeme", "change_me", "secret", "secret-key", "secretkey", "dev", "demo",
    "test", "insecure", "default", "please-change-me", "your-secret-key",
})
FIX_SECRET = "set it to `openssl rand -hex 32` (the same on every replica), or run the demo " \
             "with --demo"


@cache
def demo_passwords() -> dict[str, str]:
    """Account -> its password in the packaged demo site file."""
    try:
        spec = tomllib.loads(DEMO_SITE_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    out = {s["username"]: s["password"] for s in spec.get("staff", []) if "password" in s}
    out |= {k["id"]: k["password"] for k in spec.get("kiosks", []) if "password" in k}
    return out


def is_demo_password(password: str) -> bool:
    return password in set(demo_passwords().values())


def secret_problem(secret_key: str | None) -> str | None:
    if not secret_key or not secret_key.strip():
        return f"BUTLER_SECRET_KEY is not set: production needs a token signing key; {FIX_SECRET}"
    if secret_key.strip().lower() in DEFAULT_SECRETS:
        return f"BUTLER_SECRET_KEY is a well-known default value; {FIX_SECRET}"
    if len(secret_key) < MIN_SECRET_CHARS:
        return (f"BUTLER_SECRET_KEY is {len(secret_key)} characters, want at least "
                f"{MIN_SECRET_CHARS}; {FIX_SECRET}")
    return None


def _accounts(site: Site) -> list[tuple[str, str, str, str]]:
    """(kind, account, plain password or "", hash or "") for every account of the site file."""
    out = [("staff", s.username, s.password, s.password_hash) for s in site.staff.values()]
    out += [("kiosk", k.id, k.password, k.password_hash) for k in site.kiosks.values()]
    return out


def password_problem(site: Site, verify: Callable[[str, str], bool]) -> str | None:
    demo = demo_passwords()
    for kind, name, password, password_hash in _accounts(site):
        where = f"{site.path}: {kind} {name!r}"
        if password and is_demo_password(password):
            return f"{where} has a demo password; give it password_hash (python -m " \
                   f"controlroom users hash), or run the demo with --demo"
        if password:
            return f"{where} has its password in plain text; replace it with password_hash " \
                   f"(python -m controlroom users hash), or run the demo with --demo"
        if name in demo and verify(password_hash, demo[name]):
            return f"{where}: its password_hash is of the demo password; choose another"
    return None


def production_problem(site: Site, secret_key: str | None,
                       verify: Callable[[str, str], bool]) -> str | None:
    """The first reason the control room must not start in production, or None."""
    return secret_problem(secret_key) or password_problem(site, verify)
