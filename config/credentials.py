"""Broker accounts derived from one site secret (ARCHITECTURE §9, docs/security.md).

A device's MQTT password is HMAC-SHA256(site secret, "estate/v1/<site>/<device>"), so the
installer's provisioning tool, the broker's password file and the simulator all compute the
same password from one secret, no per-device secrets file has to be kept in step with the
site file, and one device's password (read out of its flash) tells nothing about another's.
Service accounts (the gateway) are derived the same way from their account name.

The secret comes from BUTLER_BROKER_SECRET or a file (default var/broker.secret, mode 0600).
Pure apart from reading that file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path

from config.settings import BROKER_SECRET, BROKER_SECRET_FILE

DEFAULT_SECRET_FILE = Path("var/broker.secret")
MIN_SECRET_BYTES = 16


class SecretError(ValueError):
    """No usable site secret."""


def _derive(secret: bytes, label: str) -> str:
    mac = hmac.new(secret, label.encode(), hashlib.sha256).digest()
    # 24 bytes (192 bits) as URL-safe text: typeable, no `:` (the password file's separator).
    return base64.urlsafe_b64encode(mac[:24]).decode()


def device_password(secret: bytes, site: str, device: str) -> str:
    return _derive(secret, f"estate/v1/{site}/{device}")


def service_password(secret: bytes, site: str, account: str) -> str:
    return _derive(secret, f"service/{site}/{account}")


def load_secret(path: Path | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """The site secret: BUTLER_BROKER_SECRET, else the file `path` (or
    BUTLER_BROKER_SECRET_FILE, or var/broker.secret)."""
    named = BROKER_SECRET.read(env)
    if named:
        secret = named.encode()
    else:
        path = path or BROKER_SECRET_FILE.read(env) or DEFAULT_SECRET_FILE
        try:
            secret = path.read_bytes().strip()
        except OSError as exc:
            raise SecretError(f"no broker secret: set {BROKER_SECRET.name} or create {path} "
                              f"(python -m launcher.broker_acl --create-secret): "
                              f"{exc.strerror}") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(f"the broker secret is {len(secret)} bytes; want at least "
                          f"{MIN_SECRET_BYTES}")
    return secret
