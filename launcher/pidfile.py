"""`var/demo.pid`: which demo runs, so a second `make demo` says so and `make stop` (from any
terminal) stops it.

JSON: {"launcher": PID, "children": [[NAME, PID, MODULE], ...]}. Each child leads its own
process group. `stop` asks the launcher to stop (SIGTERM: it stops its children and frees every
port); when the launcher is gone or does not answer, it stops what is left of the children
itself."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import time
from pathlib import Path

PIDFILE = "demo.pid"


def path(var_dir: Path) -> Path:
    return var_dir / PIDFILE


def write(var_dir: Path, launcher: int, children: list[tuple[str, int, str]]) -> None:
    var_dir.mkdir(parents=True, exist_ok=True)
    tmp = path(var_dir).with_suffix(".pid.tmp")
    tmp.write_text(json.dumps({"launcher": launcher, "children": children}) + "\n")
    tmp.replace(path(var_dir))


def read(var_dir: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path(var_dir).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("launcher"), int) else None


def remove(var_dir: Path, launcher: int) -> None:
    """Remove the pidfile if it is still this launcher's."""
    data = read(var_dir)
    if data is not None and data["launcher"] == launcher:
        path(var_dir).unlink(missing_ok=True)


def alive(pid: int, module: str | None = None) -> bool:
    """Whether pid runs (not a zombie) and, where /proc shows it, runs `python -m module`: a pid
    reused by something else since is not ours to signal."""
    proc = Path(f"/proc/{pid}")
    if proc.parent.is_dir():
        try:
            if proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return False
            argv = proc.joinpath("cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            return False
        return module is None or any(a == b"-m" and b == module.encode()
                                     for a, b in itertools.pairwise(argv))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_launcher(var_dir: Path) -> int | None:
    data = read(var_dir)
    if data is None:
        return None
    pid = int(data["launcher"])  # type: ignore[call-overload]
    return pid if alive(pid, "launcher") else None


def _wait_gone(pids: list[tuple[int, str]], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(alive(p, m) for p, m in pids):
            return True
        time.sleep(0.1)
    return not any(alive(p, m) for p, m in pids)


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def stop(var_dir: Path, timeout: float = 30.0) -> str:
    """Stop the demo of var_dir; a sentence saying what was done."""
    data = read(var_dir)
    if data is None:
        return f"no demo is running here (no {path(var_dir)})"
    launcher = int(data["launcher"])  # type: ignore[call-overload]
    raw = data.get("children")
    kids = [(int(pid), str(module)) for _, pid, module in raw] if isinstance(raw, list) else []
    said = "the demo was not running"
    if alive(launcher, "launcher"):
        os.kill(launcher, signal.SIGTERM)
        said = f"stopped the demo (launcher pid {launcher})"
        if not _wait_gone([(launcher, "launcher")], timeout):
            os.kill(launcher, signal.SIGKILL)
            said += "; the launcher did not stop in time and was killed"
    left = [(p, m) for p, m in kids if alive(p, m)]
    if left:
        for p, _ in left:
            _signal_group(p, signal.SIGTERM)
        if not _wait_gone(left, 10.0):
            for p, m in left:
                if alive(p, m):
                    _signal_group(p, signal.SIGKILL)
        said += f"; stopped {len(left)} leftover process(es)"
    path(var_dir).unlink(missing_ok=True)
    return said
