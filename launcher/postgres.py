"""A PostgreSQL server of our own for tests and benchmarks: `initdb` into a temp dir, started
on a free port with its own configuration (never the machine's server on 5432).

PostgreSQL refuses to run as root; when we are root (CI), the server runs as `nobody` in a
temp dir that user owns. Its unix socket lives in that dir; clients use TCP on 127.0.0.1 with
trust authentication (a throwaway server that only listens on loopback).
"""

from __future__ import annotations

import atexit
import ctypes
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from launcher.processes import StartupError, free_port, tail

SUPERUSER = "butler"
# Speed over durability: a crash loses a test database, never anything that matters.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "128MB",
    "max_wal_size": "1GB",
    "log_min_messages": "warning",
    "log_checkpoints": "off",
}


def bin_dir() -> Path | None:
    """The newest PostgreSQL's binaries (Debian puts them under /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _unprivileged() -> tuple[int, int] | None:
    """The (uid, gid) to run the server as: `nobody` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    import pwd

    pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


def _die_with_parent() -> None:
    # If the test run is killed outright, the server goes too instead of lingering.
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGINT)


@dataclass
class PostgresServer:
    root: Path
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    argv: list[str] = field(default_factory=list, repr=False)
    run_as: dict[str, object] = field(default_factory=dict, repr=False)
    _stopped: bool = field(default=False, repr=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def halt(self) -> None:
        """Stop the server but keep its files (`resume` starts it again on the same port):
        for tests of what the control room does while its database is away."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(15)

    def resume(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # type: ignore[call-overload]
                self.argv, cwd=self.root, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent, **self.run_as)
        _wait_ready(self)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown: ends sessions
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres(settings: dict[str, str] | None = None) -> PostgresServer:
    """initdb and start a server; it is stopped (and its files removed) at exit if not
    before. Raises StartupError when PostgreSQL is not installed or does not come up."""
    bins = bin_dir()
    if bins is None:
        raise StartupError("PostgreSQL is not installed (scripts/system-deps.sh test "
                           "installs it: apt-get install postgresql)")
    as_user = _unprivileged()
    # Not under pytest's tmp dirs: those are 0700 root-owned when we are root.
    root = Path(tempfile.mkdtemp(prefix="butler-pg-"))
    data = root / "data"
    log = root / "postgres.log"
    if as_user:
        os.chown(root, *as_user)
    run_as = {"user": as_user[0], "group": as_user[1], "extra_groups": []} if as_user else {}
    init = subprocess.run(
        [str(bins / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
         "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
        capture_output=True, text=True, cwd=root, **run_as)  # type: ignore[call-overload]
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise StartupError(f"initdb failed:\n{init.stdout}{init.stderr}")
    port = free_port()
    conf = {**SETTINGS, **(settings or {}), "port": str(port),
            "unix_socket_directories": str(root)}
    argv = [str(bins / "postgres"), "-D", str(data)]
    for k, v in conf.items():
        argv += ["-c", f"{k}={v}"]
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent, **run_as)  # type: ignore[call-overload]
    server = PostgresServer(root, port, proc, log, argv, run_as)
    atexit.register(server.stop)
    _wait_ready(server)
    return server


def _wait_ready(server: PostgresServer, timeout: float = 60.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            text = tail(server.log)
            server.stop()
            raise StartupError(f"postgres exited with status {server.proc.returncode}:\n{text}")
        try:
            psycopg.connect(server.url(), connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    text = tail(server.log)
    server.stop()
    raise StartupError(f"postgres did not accept connections within {timeout:.0f}s:\n{text}")
