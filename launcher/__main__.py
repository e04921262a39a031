"""`python -m launcher` (`make demo`): the whole estate on its embedded defaults.
`python -m launcher stop` (`make stop`): stop the demo running from another terminal.

Starts, in order: the embedded MQTT broker (unless BUTLER_MQTT_URL names another), the
control room on SQLite under var/, the gateway, the simulated estate (every device online,
heartbeating) and, when there is a display, the lobby kiosk. Every port is checked free before
anything starts. Ctrl-C, closing the terminal (SIGHUP), SIGTERM or `make stop` stop them all
and free every port; on Linux the children also die if the launcher is killed outright.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from config import Settings, Site, load_site_or_exit
from config.settings import DB_URL, DEMO, MQTT_URL, VAR_DIR, exit_on_bad_setting
from launcher import pidfile
from launcher.demo_inbox import DemoInbox
from launcher.ports import DemoPorts, PortSettingError, demo_ports
from launcher.processes import ROOT, Cancelled, ProcessGroup, StartupError, port_free, tail

VAR = ROOT / "var"
SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGTERM)


def say(text: str, err: bool = False) -> None:
    """Write a line for the person at the terminal. The terminal may be gone (closed: EIO) or
    the pipe into `tee` broken (Ctrl-C on `make demo | tee log`: EPIPE): then the rest goes to
    /dev/null, so stopping the children never fails on a write."""
    stream = sys.stderr if err else sys.stdout
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, stream.fileno())
            os.close(null)
        except (OSError, ValueError):
            pass


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _banner(site: Site, api_url: str, mqtt_url: str, kiosk_note: str, config_arg: list[str],
            var_dir: Path, db_url: str) -> str:
    staff = [(s.username, s.password, s.role) for s in site.staff.values()]
    staff += [(k.id, k.password, "kiosk") for k in site.kiosks.values()]
    rows = "\n".join(f"    {u:<12} {p:<16} {r}" for u, p, r in staff)
    control = ([] if var_dir == VAR else ["--control", _shown(var_dir / "firmware_sim.sock")])
    sim = " ".join([".venv/bin/python -m firmware_sim", *config_arg, *control])
    return f"""
  Estate Butler is running: {site.name_zh} {site.name_en}

  Control room (alarm board):  {api_url}/
  API documentation:           {api_url}/docs
  MQTT broker:                 {mqtt_url}
  Kiosk:                       {kiosk_note}

  Demo accounts:
    user         password         role
{rows}

  Raise an alarm from another terminal:
    {sim} gas --unit 1-2-1502      # gas alarm in building 1, entrance 2, flat 1502
    {sim} press --unit 2-1-0304    # emergency button
    {sim} list                     # the simulated devices

  Messages the estate sends (staff notifications, residents' texts, login codes):
    {_shown(var_dir / "log" / "inbox.log")}
  Logs: {_shown(var_dir / "log")}/   Database: {db_url}
  Press Ctrl-C (or run `make stop` elsewhere) to stop everything.
"""


def _db_url(settings: Settings, var_dir: Path) -> str:
    """The site's default SQLite file under var/ follows a moved var directory."""
    prefix = "sqlite:///var/"
    if var_dir != VAR and settings.db_url.startswith(prefix) and not DB_URL.read():
        return f"sqlite:///{var_dir / settings.db_url[len(prefix):]}"
    return settings.db_url


def _record(group: ProcessGroup, var_dir: Path) -> None:
    """The pidfile names every child as soon as it runs, for `make stop`."""
    pidfile.write(var_dir, os.getpid(), [(c.name, c.proc.pid, str(c.proc.args[2]))  # type: ignore[index]
                                         for c in group.children])


def _start_all(group: ProcessGroup, site: Site, ports: DemoPorts, config_arg: list[str],
               var_dir: Path, no_kiosk: bool) -> str:
    """Start every part, each waited for until it is ready; the kiosk's line for the banner."""
    api_url = f"http://{ports.api.host}:{ports.api.port}"
    if ports.broker is not None:
        say(f"starting the embedded MQTT broker on {ports.mqtt_url} ...")
        b = group.start("broker", ["-m", "gateway.embedded_broker", *config_arg,
                                   "--port", str(ports.broker.port)])
        _record(group, var_dir)
        group.wait_port(ports.broker.host, ports.broker.port, b)
    else:
        say(f"using the MQTT broker at {ports.mqtt_url}")
    say(f"starting the control room on {api_url} ...")
    c = group.start("controlroom", ["-m", "controlroom", *config_arg])
    _record(group, var_dir)
    group.wait_http(f"{api_url}/api/health", c, timeout=60)
    say("starting the gateway ...")
    metrics = ports.metrics.port if ports.metrics else 0
    gw = group.start("gateway", ["-m", "gateway", *config_arg, "--state-dir", str(var_dir),
                                 "--metrics-port", str(metrics)])
    _record(group, var_dir)
    if ports.metrics is not None:
        group.wait_port(ports.metrics.host, ports.metrics.port, gw)
    say(f"starting the simulated estate ({len(site.devices)} devices) ...")
    sock = var_dir / "firmware_sim.sock"
    sock.unlink(missing_ok=True)  # a killed run's; the new one must be waited for
    sim = group.start("firmware_sim", ["-m", "firmware_sim", *config_arg, "--control", str(sock),
                                       "--state-file", str(var_dir / "firmware_sim-state.json"),
                                       "run"])
    _record(group, var_dir)
    group.wait_for("the simulated devices", sock.exists, 60, sim)
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if display and not no_kiosk:
        group.start("kiosk", ["-m", "kiosk", *config_arg])
        _record(group, var_dir)
        return f"window on display {display}"
    return ("no display here; start it on one with `.venv/bin/python -m kiosk` "
            "(or `xvfb-run -a .venv/bin/python -m kiosk`)")


def _watch(group: ProcessGroup, stopping: list[int]) -> int:
    """Until a signal (0), or a part other than the kiosk stops by itself (1)."""
    while not stopping:
        dead = group.failed()
        if dead is not None and dead.name != "kiosk":
            say(f"\n{dead.name} stopped unexpectedly (status {dead.proc.returncode}):\n"
                f"{tail(dead.log)}", err=True)
            return 1
        time.sleep(0.2)
    return 0


def run(config: str | None, var_dir: Path, no_kiosk: bool) -> int:
    site = load_site_or_exit(config)
    settings = Settings.from_site(site)
    config_arg = ["--config", config] if config else []
    try:
        ports = demo_ports(site, settings, dict(os.environ))
    except PortSettingError as exc:
        say(str(exc), err=True)
        return 2
    other = pidfile.running_launcher(var_dir)
    if other is not None:
        say(f"error: a demo is already running (launcher pid {other}, "
            f"{_shown(pidfile.path(var_dir))}); stop it with `make stop`", err=True)
        return 1
    for port in ports.listened():
        if not port_free(port.host, port.port):
            say(port.taken_message(), err=True)
            return 1

    stopping: list[int] = []
    for sig in SIGNALS:
        signal.signal(sig, lambda signum, _frame: stopping.append(signum))
    db_url = _db_url(settings, var_dir)
    # `make demo` is the demo: every part runs in demo mode (BUTLER_DEMO=1, docs/decisions.md).
    # The estate's messages (escalations, parcel texts, login codes) go to the demo's inbox,
    # unless a channel of the caller's own is set (launcher/demo_inbox.py).
    inbox = DemoInbox(var_dir / "log" / "inbox.log").start()
    channels = inbox.env(site.notify, os.environ)
    group = ProcessGroup(var_dir / "log", env={MQTT_URL.name: ports.mqtt_url,
                                               DB_URL.name: db_url, DEMO.name: "1",
                                               **channels},
                         die_with_parent=True, cancelled=lambda: bool(stopping))
    status = 0
    pidfile.write(var_dir, os.getpid(), [])
    try:
        kiosk_note = _start_all(group, site, ports, config_arg, var_dir, no_kiosk)
        if not stopping:
            say(_banner(site, f"http://{ports.api.host}:{ports.api.port}", ports.mqtt_url,
                        kiosk_note, config_arg, var_dir, db_url))
        status = _watch(group, stopping)
    except StartupError as exc:
        say(f"error: {exc}", err=True)
        status = 1
    except Cancelled:
        pass
    finally:
        say("\nstopping ...")
        group.stop_all()
        inbox.stop()
        pidfile.remove(var_dir, os.getpid())
    say("stopped.")
    return status


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m launcher", description="Run the whole estate (make demo), or stop it.",
        epilog="Ports: BUTLER_API_URL (control room), BUTLER_EMBEDDED_BROKER_PORT, "
               "BUTLER_GATEWAY_METRICS_PORT; BUTLER_MQTT_URL uses another broker instead.")
    ap.add_argument("command", nargs="?", choices=["run", "stop"], default="run",
                    help="run the demo (default), or stop the one running (make stop)")
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--no-kiosk", action="store_true", help="do not open the kiosk window")
    ap.add_argument("--var-dir", type=Path, metavar="DIR",
                    default=None,
                    help="logs, state, the pidfile demo.pid and the default database "
                         "(default: BUTLER_VAR_DIR or var/)")
    args = ap.parse_args(argv)
    with exit_on_bad_setting():
        var_dir = (args.var_dir or VAR_DIR.read() or VAR).resolve()
    if args.command == "stop":
        say(pidfile.stop(var_dir))
        return
    sys.exit(run(args.config, var_dir, args.no_kiosk))


if __name__ == "__main__":
    main()
