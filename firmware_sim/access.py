"""How simulated devices reach a locked-down broker (docs/security.md): each with its own
account (its id, and the password derived from the site's broker secret), and over TLS with
the site's CA for mqtts:// URLs."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from config.credentials import device_password, load_secret
from config.settings import BROKER_SECRET, BROKER_SECRET_FILE, MQTT_CA


@dataclass(frozen=True)
class Access:
    host: str
    port: int
    secret: bytes | None = None  # None: connect anonymously (a test or demo broker)
    tls: ssl.SSLContext | None = None

    def password(self, site: str, device: str) -> str | None:
        return None if self.secret is None else device_password(self.secret, site, device)


def access(url: str, ca_file: str | None = None, secret_file: Path | None = None,
           env: Mapping[str, str] | None = None) -> Access:
    """From the broker URL, a CA file and the secret: credentials only when a secret is
    named (the option, BUTLER_BROKER_SECRET or BUTLER_BROKER_SECRET_FILE), so an anonymous
    demo broker keeps working."""
    u = urlsplit(url)
    tls = None
    if u.scheme in ("mqtts", "ssl"):
        tls = ssl.create_default_context(cafile=ca_file or MQTT_CA.read(env))
    named = secret_file or BROKER_SECRET.read(env) or BROKER_SECRET_FILE.read(env)
    secret = load_secret(secret_file, env) if named else None
    return Access(u.hostname or "127.0.0.1", u.port or (8883 if tls else 1883), secret, tls)
