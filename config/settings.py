"""Every `BUTLER_*` environment variable, typed, in one place (the README's table lists them).

Each variable is one `Variable`: its name, default, type (its parser) and which part reads it.
Nothing is read at import: a program reads the ones it needs when it starts (`X.read()`,
`Settings.from_site`, `Settings.for_controlroom`). An empty value counts as unset. A value
that does not parse is a `SettingError` whose message is one line naming the variable; entry
points print it and exit 2 (`exit_on_bad_setting`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from config.model import Site

T = TypeVar("T")


class SettingError(ValueError):
    """A `BUTLER_*` variable whose value cannot be used; `str()` is one line naming it."""


@dataclass(frozen=True)
class Variable(Generic[T]):
    name: str
    default: T
    parse: Callable[[str], T]  # raises ValueError("what it should be") on a bad value
    meaning: str
    read_by: str

    def read(self, env: Mapping[str, str] | None = None) -> T:
        env = os.environ if env is None else env
        raw = env.get(self.name, "")
        if not raw.strip():
            return self.default
        try:
            return self.parse(raw)
        except ValueError as exc:
            raise SettingError(f"error: {self.name}={raw!r} is not {exc}") from None


def _text(raw: str) -> str | None:
    return raw


def _path(raw: str) -> Path | None:
    return Path(raw)


def _port(raw: str) -> int | None:
    raw = raw.strip()
    if not raw.isdigit() or not 0 <= int(raw) < 65536:
        raise ValueError("a port number (0-65535)")
    return int(raw)


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip()
        if value not in choices:
            raise ValueError(f"one of {', '.join(choices)}")
        return value
    return parse


def _flag(raw: str) -> bool:
    return _one_of("0", "1")(raw) == "1"


def _list(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.split(",") if p.strip())


# Where each part finds the others (the site file's values unless set).
SITE: Variable[Path | None] = Variable(
    "BUTLER_SITE", None, _path, "the site file (default config/site.toml)", "every program")
DB_URL: Variable[str | None] = Variable(
    "BUTLER_DB_URL", None, _text, "the control room's database (SQLite or PostgreSQL URL)",
    "controlroom, launcher")
MQTT_URL: Variable[str | None] = Variable(
    "BUTLER_MQTT_URL", None, _text,
    "the MQTT broker; set, `make demo` starts no broker of its own",
    "gateway, firmware_sim, launcher")
API_URL: Variable[str | None] = Variable(
    "BUTLER_API_URL", None, _text,
    "where the control room listens and the gateway and kiosk find it",
    "controlroom, gateway, kiosk, launcher")
# Demo or production (production unless asked).
DEMO: Variable[bool] = Variable(
    "BUTLER_DEMO", False, _flag, "`1`: demo mode (as `--demo`): demo passwords, the demo "
    "site file, demo data and a plain-HTTP kiosk allowed", "controlroom, kiosk, launcher")
CA_FILE: Variable[Path | None] = Variable(
    "BUTLER_CA_FILE", None, _path, "CA file the control room's certificate is checked "
    "against (https://)", "gateway, kiosk")
KIOSK_SECRET: Variable[str | None] = Variable(
    "BUTLER_KIOSK_SECRET", None, _text, "the kiosk's own secret (its control-room password)",
    "kiosk")
# The control room.
SECRET_KEY: Variable[str | None] = Variable(
    "BUTLER_SECRET_KEY", None, _text,
    "token signing key (required outside demo; demo: generated once, kept in the database)",
    "controlroom")
TRUSTED_PROXIES: Variable[tuple[str, ...]] = Variable(
    "BUTLER_TRUSTED_PROXIES", (), _list,
    "comma-separated reverse proxies whose X-Forwarded-For is believed", "controlroom")
PASSWORD_HASH_COST: Variable[str] = Variable(
    "BUTLER_PASSWORD_HASH_COST", "default", _one_of("default", "low"),
    "`low`: cheap password hashes, for the test suite only (logged loudly)", "controlroom")
DEMO_DATA: Variable[bool] = Variable(
    "BUTLER_DEMO_DATA", True, _flag, "`0`: in demo mode, seed no demo fees and notices",
    "controlroom")
# The gateway.
GATEWAY_PASSWORD: Variable[str | None] = Variable(
    "BUTLER_GATEWAY_PASSWORD", None, _text, "the gateway's control-room password", "gateway")
MQTT_USERNAME: Variable[str | None] = Variable(
    "BUTLER_MQTT_USERNAME", None, _text, "the gateway's broker account (default anonymous)",
    "gateway")
MQTT_PASSWORD: Variable[str | None] = Variable(
    "BUTLER_MQTT_PASSWORD", None, _text, "that account's password", "gateway")
MQTT_CA: Variable[str | None] = Variable(
    "BUTLER_MQTT_CA", None, _text, "CA file the broker's certificate is checked against "
    "(mqtts://)", "gateway, firmware_sim")
GATEWAY_METRICS_PORT: Variable[int | None] = Variable(
    "BUTLER_GATEWAY_METRICS_PORT", None, _port,
    "the gateway's /metrics and /health port (0: any)", "gateway, launcher")
GATEWAY_METRICS_ADDRESS: Variable[str] = Variable(
    "BUTLER_GATEWAY_METRICS_ADDRESS", "127.0.0.1", lambda raw: raw.strip(),
    "the address the gateway's /metrics, /healthz and /readyz listen on", "gateway")
LOG_FORMAT: Variable[str] = Variable(
    "BUTLER_LOG_FORMAT", "text", _one_of("text", "json"),
    "every service's log: text lines (time, level, logger) or one JSON object per line",
    "controlroom, gateway, firmware_sim, kiosk")
GATEWAY_SOURCE: Variable[str] = Variable(
    "BUTLER_GATEWAY_SOURCE", "mqtt", _one_of("mqtt", "nats"),
    "where the gateway takes the devices' traffic from", "gateway")
NATS_URL: Variable[tuple[str, ...]] = Variable(
    "BUTLER_NATS_URL", (), _list, "the NATS cluster's servers (comma-separated), with "
    "source nats", "gateway")
DC09_PORT: Variable[int | None] = Variable(
    "BUTLER_DC09_PORT", None, _port,
    "TCP and UDP port the gateway receives SIA DC-09 from panels over IP on (0: any)",
    "gateway")
# The broker's accounts (docs/security.md).
BROKER_SECRET: Variable[str | None] = Variable(
    "BUTLER_BROKER_SECRET", None, _text,
    "the site secret the broker passwords derive from", "firmware_sim, launcher.broker_acl")
BROKER_SECRET_FILE: Variable[Path | None] = Variable(
    "BUTLER_BROKER_SECRET_FILE", None, _path,
    "a file holding it (default var/broker.secret)", "firmware_sim, launcher.broker_acl")
# `make demo`.
EMBEDDED_BROKER_PORT: Variable[int | None] = Variable(
    "BUTLER_EMBEDDED_BROKER_PORT", None, _port,
    "the demo's embedded broker's port (default: the site file's MQTT URL's)", "launcher")
VAR_DIR: Variable[Path | None] = Variable(
    "BUTLER_VAR_DIR", None, _path, "logs, state, demo.pid, the default SQLite database",
    "launcher, `make stop`")

SMS_URL: Variable[str | None] = Variable(
    "BUTLER_SMS_URL", None, _text,
    "the SMS gateway residents' text messages are POSTed to (site file `[notify] sms_url`)",
    "controlroom")


def _urls(raw: str) -> tuple[str, ...]:
    return tuple(raw.split())


# The staff roles a site may reach (ARCHITECTURE §7, §10): BUTLER_NOTIFY_<ROLE>, a
# space-separated list of apprise URLs, replaces the site file's `[notify.roles]` list.
NOTIFY_ROLES = ("operator", "supervisor", "manager", "frontdesk", "maintenance", "admin")
NOTIFY_OPERATOR, NOTIFY_SUPERVISOR, NOTIFY_MANAGER, NOTIFY_FRONTDESK, NOTIFY_MAINTENANCE, \
    NOTIFY_ADMIN = (Variable[tuple[str, ...]](f"BUTLER_NOTIFY_{role.upper()}", (), _urls,
                             f"the {role} role's apprise URLs, space-separated (replaces the "
                             "site file's `[notify.roles]` list)", "controlroom")
                    for role in NOTIFY_ROLES)

VARIABLES: tuple[Variable[Any], ...] = (
    DEMO, CA_FILE, KIOSK_SECRET,
    SITE, DB_URL, MQTT_URL, API_URL, SECRET_KEY, TRUSTED_PROXIES, PASSWORD_HASH_COST,
    DEMO_DATA, GATEWAY_PASSWORD, MQTT_USERNAME, MQTT_PASSWORD, MQTT_CA, GATEWAY_METRICS_PORT,
    GATEWAY_METRICS_ADDRESS, LOG_FORMAT, GATEWAY_SOURCE, NATS_URL, BROKER_SECRET,
    BROKER_SECRET_FILE, EMBEDDED_BROKER_PORT, VAR_DIR, SMS_URL, NOTIFY_OPERATOR,
    NOTIFY_SUPERVISOR, NOTIFY_MANAGER, NOTIFY_FRONTDESK, NOTIFY_MAINTENANCE, NOTIFY_ADMIN,
    DC09_PORT)


@contextmanager
def exit_on_bad_setting() -> Iterator[None]:
    """For programs' entry points: a bad value is its one line on stderr, exit 2."""
    try:
        yield
    except SettingError as exc:
        sys.stderr.write(f"{exc}\n")
        raise SystemExit(2) from None


@dataclass(frozen=True)
class Settings:
    """The site file's URLs overridden by the environment, and the control room's settings."""

    db_url: str
    mqtt_url: str
    api_url: str
    secret_key: str | None = None
    demo: bool = False  # production unless asked (BUTLER_DEMO=1, --demo)
    demo_data: bool = True  # only ever acted on in demo mode
    trusted_proxies: tuple[str, ...] = ()
    password_hash_cost: str = "default"
    # Overrides of the site file's `[notify]` (ARCHITECTURE §10): the SMS gateway, and each
    # role whose BUTLER_NOTIFY_<ROLE> is set.
    sms_url: str | None = None
    notify_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_site(cls, site: Site, env: Mapping[str, str] | None = None) -> Settings:
        """Where each part finds the others (strings: this never fails)."""
        env = os.environ if env is None else env
        return cls(
            db_url=DB_URL.read(env) or site.db_url,
            mqtt_url=MQTT_URL.read(env) or site.mqtt_url,
            api_url=(API_URL.read(env) or site.api_url).rstrip("/"),
        )

    @classmethod
    def for_controlroom(cls, site: Site, env: Mapping[str, str] | None = None) -> Settings:
        """`from_site` and the control room's own variables (a bad one: `SettingError`)."""
        env = os.environ if env is None else env
        return replace(cls.from_site(site, env), secret_key=SECRET_KEY.read(env),
                       demo=DEMO.read(env), demo_data=DEMO_DATA.read(env),
                       trusted_proxies=TRUSTED_PROXIES.read(env),
                       password_hash_cost=PASSWORD_HASH_COST.read(env),
                       sms_url=SMS_URL.read(env),
                       notify_roles=tuple(
                           (role, var.read(env)) for role, var in zip(NOTIFY_ROLES, (
                               NOTIFY_OPERATOR, NOTIFY_SUPERVISOR, NOTIFY_MANAGER,
                               NOTIFY_FRONTDESK, NOTIFY_MAINTENANCE, NOTIFY_ADMIN), strict=True)
                           if var.read(env)))
