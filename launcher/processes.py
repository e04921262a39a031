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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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

    def start(self, name: str, argv: list[str], *, python: bool = True,
              env: dict[str, str] | None = None) -> Child:
        """Start `python -m ...` (or any argv) with its output in `<log_dir>/<name>.log`."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{name}.log"
        full_env = {**os.environ, **self.env, **(env or {}), "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, *argv] if python else argv
        with log.open("ab") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        child = Child(name, proc, log)
        self.children.append(child)
        return child

    def wait_for(self, what: str, ready: Callable[[], bool], timeout: float = 30.0,
                 child: Child | None = None) -> None:
        """Poll `ready` until true; fail early, with the log's tail, if `child` dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
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
