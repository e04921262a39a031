"""A mosquitto of our own, on a port and with a configuration of our own (tests and
benchmarks never touch a broker the machine already runs)."""

from __future__ import annotations

import getpass
import shutil
from dataclasses import dataclass
from pathlib import Path

from launcher.processes import ProcessGroup

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)


@dataclass(frozen=True)
class Tls:
    cafile: Path
    certfile: Path
    keyfile: Path


@dataclass(frozen=True)
class Security:
    """The production configuration (docs/security.md): no anonymous clients, the password
    and ACL files of `python -m launcher.broker_acl`, and optionally a TLS-only listener."""

    password_file: Path
    acl_file: Path
    tls: Tls | None = None


def mosquitto_conf(port: int, store: Path, persistence: bool = False,
                   security: Security | None = None, host: str = "127.0.0.1",
                   user: str | None = None, log_dest: str = "stdout") -> str:
    # The gateway's persistent session may hold thousands of events while it restarts:
    # mosquitto's default queue of 1000 per session would drop the rest.
    # Started as root, mosquitto drops to the `mosquitto` user unless told to stay the user
    # that owns the test's directory; it could not write its persistence file otherwise.
    lines = [f"user {user or getpass.getuser()}", f"listener {port} {host}"]
    if security is None:
        lines.append("allow_anonymous true")
    else:
        lines += ["allow_anonymous false", f"password_file {security.password_file}",
                  f"acl_file {security.acl_file}"]
        if security.tls is not None:
            # The only listener speaks TLS: a plain MQTT client gets no CONNACK at all.
            lines += [f"cafile {security.tls.cafile}", f"certfile {security.tls.certfile}",
                      f"keyfile {security.tls.keyfile}", "tls_version tlsv1.2"]
    lines += [f"persistence {'true' if persistence else 'false'}",
              f"persistence_location {store}/",
              "max_queued_messages 0", "max_inflight_messages 0", f"log_dest {log_dest}"]
    return "\n".join(lines) + "\n"


def start_mosquitto(group: ProcessGroup, tmp: Path, port: int, persistence: bool = False,
                    security: Security | None = None) -> None:
    conf = tmp / "mosquitto.conf"
    store = tmp / "mosquitto-data"
    store.mkdir(exist_ok=True)
    conf.write_text(mosquitto_conf(port, store, persistence, security))
    assert MOSQUITTO is not None
    child = group.start("mosquitto", [MOSQUITTO, "-c", str(conf)], python=False)
    group.wait_port("127.0.0.1", port, child)
