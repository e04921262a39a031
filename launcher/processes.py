"""A group of child processes started in order, waited on by condition, stopped in reverse."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


class StartupError(RuntimeError):
    pass


class Cancelled(Exception):
    """The group was asked to stop (a signal) while it waited for a child to be ready."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (bound as servers bind, SO_REUSEADDR)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that has Linux send the child SIGTERM when the launcher dies, even by
    SIGKILL (prctl PR_SET_PDEATHSIG); None where there is no prctl."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the launcher died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class ProcessGroup:
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    # The children get SIGTERM when this process dies, however it dies (Linux). Only for a
    # group whose children are started from the main thread: the signal follows the thread.
    die_with_parent: bool = False
    # Checked while waiting for a child: true makes the wait raise Cancelled.
    cancelled: Callable[[], bool] = lambda: False

    def start(self, name: str, argv: list[str], *, python: bool = True,
              env: dict[str, str] | None = None) -> Child:
        """Start `python -m ...` (or any argv) with its output in `<log_dir>/<name>.log`."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{name}.log"
        full_env = {**os.environ, **self.env, **(env or {}), "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, *argv] if python else argv
        preexec = _die_with_parent() if self.die_with_parent else None
        with log.open("ab") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    preexec_fn=preexec)
        child = Child(name, proc, log)
        self.children.append(child)
        return child

    def wait_for(self, what: str, ready: Callable[[], bool], timeout: float = 30.0,
                 child: Child | None = None) -> None:
        """Poll `ready` until true; fail early, with the log's tail, if `child` dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.cancelled():
                raise Cancelled(what)
            if ready():
                return
            if child is not None and child.proc.poll() is not None:
                raise StartupError(f"{child.name} exited with status {child.proc.returncode} "
                                   f"while waiting for {what}:\n{tail(child.log)}")
            time.sleep(0.1)
        raise StartupError(f"timed out after {timeout:.0f}s waiting for {what}"
                           + (f":\n{tail(child.log)}" if child else ""))

    def wait_http(self, url: str, child: Child | None = None, timeout: float = 30.0) -> None:
        def ok() -> bool:
            try:
                return httpx.get(url, timeout=1.0).status_code == 200
            except httpx.HTTPError:
                return False

        self.wait_for(url, ok, timeout, child)

    def wait_port(self, host: str, port: int, child: Child | None = None,
                  timeout: float = 30.0) -> None:
        self.wait_for(f"{host}:{port}", lambda: port_open(host, port), timeout, child)

    def failed(self) -> Child | None:
        """The first child that has exited, if any."""
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop the named child (SIGTERM, or e.g. SIGKILL to simulate a crash) and wait."""
        for c in [c for c in self.children if c.name == name]:
            if sig == signal.SIGTERM:
                _terminate(c)
            elif c.proc.poll() is None:
                os.killpg(c.proc.pid, sig)
                c.proc.wait(10)
            self.children.remove(c)

    def stop_all(self, grace: float = 8.0) -> None:
        for c in reversed(self.children):
            _terminate(c, grace)
        self.children.clear()


def _terminate(c: Child, grace: float = 8.0) -> None:
    if c.proc.poll() is not None:
        return
    try:
        os.killpg(c.proc.pid, signal.SIGTERM)
        c.proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(c.proc.pid, signal.SIGKILL)
        c.proc.wait()
    except ProcessLookupError:
        pass


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
