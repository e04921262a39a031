"""`make demo`'s launcher, run as `make demo` runs it (python -m launcher), on a small site with
every port moved by its environment variable and var/ in a temp dir: whatever stops it (the
terminal closed, Ctrl-C into a dead `tee`, `make stop`, even SIGKILL), every child goes and
every port is free again; a taken port is one clear line before anything starts."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from launcher.processes import ROOT, free_port
from tests.support.sites import small_site_text, write_site
from tests.utils import wait_until

BANNER = "Estate Butler is running"
PORT_VARS = ("BUTLER_EMBEDDED_BROKER_PORT", "BUTLER_API_URL", "BUTLER_GATEWAY_METRICS_PORT")
CHILDREN = {"gateway.embedded_broker", "controlroom", "gateway", "firmware_sim"}


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _processes_of(site: Path) -> dict[int, str]:
    """Every live process (not a zombie) whose command line names this test's site file:
    the launcher's children as the system sees them, pid -> `-m` module."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and str(site).encode() in argv and b"-m" in argv:
            found[int(entry.name)] = argv[argv.index(b"-m") + 1].decode()
    return found


def _logs(var: Path) -> str:
    """The last lines of every child's log, for a failure message."""
    return "\n".join(f"== {log.name}\n{log.read_text(errors='replace')[-1500:]}"
                     for log in sorted(var.rglob("*.log")))


@dataclass
class Demo:
    tmp: Path
    site: Path = field(init=False)
    ports: dict[str, int] = field(init=False)
    proc: subprocess.Popen[bytes] | None = None
    out: list[str] = field(default_factory=list)
    banner: threading.Event = field(default_factory=threading.Event)
    _read_fd: int = -1
    _reader: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.site = write_site(self.tmp, small_site_text("launchsite"))
        self.ports = {v: free_port() for v in PORT_VARS}

    @property
    def var(self) -> Path:
        return self.tmp / "var"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BUTLER_MQTT_URL", "BUTLER_DB_URL")}
        env.update({v: str(p) for v, p in self.ports.items()})
        env["BUTLER_API_URL"] = f"http://127.0.0.1:{self.ports['BUTLER_API_URL']}"
        env["BUTLER_VAR_DIR"] = str(self.var)
        return env

    def start(self, *, stop_reading_at_banner: bool = False) -> None:
        """`python -m launcher` with its output into a pipe this test reads (like `| tee`)."""
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "launcher", "--config", str(self.site), "--no-kiosk"],
            cwd=ROOT, env=self.env, stdout=w, stderr=w, start_new_session=True)
        os.close(w)
        self._read_fd = r
        self._reader = threading.Thread(target=self._read, args=(r, stop_reading_at_banner),
                                        daemon=True)
        self._reader.start()

    def _read(self, fd: int, stop_at_banner: bool) -> None:
        with os.fdopen(fd, "rb", closefd=False) as f:
            for raw in f:
                line = raw.decode(errors="replace")
                self.out.append(line)
                if BANNER in line:
                    self.banner.set()
                    if stop_at_banner:
                        return

    def output(self) -> str:
        return "".join(self.out)

    def wait_exit(self, timeout: float) -> int:
        """The launcher's exit status, once all its output is read."""
        assert self.proc is not None and self._reader is not None
        status = self.proc.wait(timeout)
        self._reader.join(10)
        return status

    def wait_running(self) -> None:
        assert self.proc is not None
        wait_until("the launcher's 'running' banner",
                   lambda: self.banner.is_set() or self.proc.poll() is not None, 180)
        assert self.banner.is_set(), f"the launcher exited:\n{self.output()}"
        running = set(_processes_of(self.site).values())
        assert running >= CHILDREN, running
        for var, port in self.ports.items():
            assert _listening(port), f"nothing listens on {var}'s port {port}"

    def close_pipe(self) -> None:
        """The reader goes away, as `tee` does on Ctrl-C: the launcher's stdout is broken."""
        os.close(self._read_fd)

    def assert_all_gone(self) -> None:
        assert self.proc is not None
        self.proc.wait(90)
        left: dict[int, str] = {}

        def gone() -> bool:
            left.clear()
            left.update(_processes_of(self.site))
            return not left

        try:
            wait_until("every child of the launcher gone", gone, 30)
        except AssertionError:
            raise AssertionError(f"still running 30 s after the launcher ended: {left}\n"
                                 f"{_logs(self.var)}") from None
        for var, port in self.ports.items():
            wait_until(f"{var}'s port {port} free", lambda p=port: _bindable(p), 15)

    def kill_leftovers(self) -> None:
        for pid in _processes_of(self.site):
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def demo(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = Demo(tmp_path)
    yield d
    d.kill_leftovers()


def test_closing_the_terminal_stops_every_child_and_frees_every_port(demo: Demo) -> None:
    demo.start()
    demo.wait_running()
    assert (demo.var / "demo.pid").exists()
    assert str(demo.var / "log" / "inbox.log") in demo.output()  # where its messages go
    demo.proc.send_signal(signal.SIGHUP)  # type: ignore[union-attr]
    demo.assert_all_gone()
    assert demo.proc.returncode == 0, demo.output()  # type: ignore[union-attr]
    assert "stopped." in demo.output()
    assert not (demo.var / "demo.pid").exists()


def test_ctrl_c_into_a_dead_tee_stops_every_child_and_frees_every_port(demo: Demo) -> None:
    demo.start(stop_reading_at_banner=True)
    demo.wait_running()
    demo.close_pipe()
    demo.proc.send_signal(signal.SIGINT)  # type: ignore[union-attr]
    demo.assert_all_gone()
    assert not (demo.var / "demo.pid").exists()


def test_the_children_die_with_a_killed_launcher(demo: Demo) -> None:
    demo.start()
    demo.wait_running()
    demo.proc.kill()  # type: ignore[union-attr]
    demo.assert_all_gone()


def test_make_stop_stops_a_demo_running_elsewhere_and_a_second_demo_is_refused(
        demo: Demo, tmp_path: Path) -> None:
    demo.start()
    demo.wait_running()

    (tmp_path / "second").mkdir()
    second = Demo(tmp_path / "second")
    env = {**second.env, "BUTLER_VAR_DIR": str(demo.var)}  # other ports, the same var/
    r = subprocess.run([sys.executable, "-m", "launcher", "--config", str(second.site),
                        "--no-kiosk"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode != 0
    assert "already running" in r.stderr and "make stop" in r.stderr, r.stderr
    assert BANNER not in r.stdout

    make = shutil.which("make")
    assert make, "make is needed for `make stop`"
    bin_dir = str(Path(sys.executable).parent)  # the Makefile's $(BIN)
    r = subprocess.run([make, "-s", "stop", f"BIN={bin_dir}"], cwd=ROOT, env=demo.env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "stopped the demo" in r.stdout
    demo.assert_all_gone()
    assert not (demo.var / "demo.pid").exists()

    r = subprocess.run([make, "-s", "stop", f"BIN={bin_dir}"], cwd=ROOT, env=demo.env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "no demo is running" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("variable", PORT_VARS)
def test_a_taken_port_is_named_with_its_variable_before_anything_starts(
        demo: Demo, variable: str) -> None:
    port = demo.ports[variable]
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        demo.start()
        status = demo.wait_exit(120)
    out = demo.output()
    assert status != 0
    assert BANNER not in out and "starting" not in out, out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    assert str(port) in errors[0] and variable in errors[0], errors[0]
    assert not _processes_of(demo.site)
    assert all(_bindable(p) for v, p in demo.ports.items() if v != variable)
    assert not (demo.var / "demo.pid").exists()
