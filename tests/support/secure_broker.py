"""A locked-down estate for tests: mosquitto with the generated password and ACL files, no
anonymous access, optionally a TLS-only listener with a CA this test generates (openssl)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from config import load_site
from config.credentials import service_password
from launcher.broker_acl import write_files
from launcher.mosquitto import Security, Tls, start_mosquitto
from tests.support.stack import Stack

SECRET = b"test-site-secret-0123456789abcdef"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(d: Path, host: str = "127.0.0.1") -> Tls:
    """A throw-away CA and a server certificate for `host`, valid for a day."""
    d.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
             "-subj", "/CN=Estate Butler test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr",
             "-subj", f"/CN={host}", cwd=d)
    (d / "server.ext").write_text(
        f"subjectAltName=IP:{host},DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "server.ext",
             cwd=d)
    return Tls(d / "ca.crt", d / "server.crt", d / "server.key")


@dataclass
class SecureStack(Stack):
    """A Stack whose mosquitto refuses anonymous clients and applies the site's ACL; the
    gateway logs in with its account, each simulated device with its own."""

    tls: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        assert self.site is not None
        site = load_site(self.site)
        passwd, acl = write_files(site, SECRET, self.tmp / "broker")
        self.ca = make_ca(self.tmp / "ca") if self.tls else None
        self.security = Security(passwd, acl, self.ca)
        self.group.env.update({
            "BUTLER_MQTT_URL": self.mqtt_url,
            "BUTLER_BROKER_SECRET": SECRET.decode(),
            "BUTLER_MQTT_USERNAME": site.gateway_username,
            "BUTLER_MQTT_PASSWORD": service_password(SECRET, site.id, site.gateway_username),
        })
        if self.ca is not None:
            self.group.env["BUTLER_MQTT_CA"] = str(self.ca.cafile)

    @property
    def mqtt_url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.mqtt_port}"

    def start_broker(self) -> None:
        start_mosquitto(self.group, self.tmp, self.mqtt_port, self.persistence, self.security)
