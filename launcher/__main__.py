"""`python -m launcher` (`make demo`): the whole estate on its embedded defaults.

Starts, in order: the embedded MQTT broker (unless BUTLER_MQTT_URL names another), the
control room on SQLite under var/, the gateway, the simulated estate (every device online,
heartbeating) and, when there is a display, the lobby kiosk. Ctrl-C stops them all.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from config import Settings, load_site_or_exit
from launcher.processes import ROOT, ProcessGroup, StartupError, port_open, tail

VAR = ROOT / "var"


def _banner(site_name: str, api_url: str, mqtt_url: str, staff: list[tuple[str, str, str]],
            kiosk_note: str, config_arg: list[str]) -> str:
    cfg = " ".join(config_arg)
    rows = "\n".join(f"    {u:<12} {p:<16} {r}" for u, p, r in staff)
    sim = f".venv/bin/python -m firmware_sim {cfg}".replace("  ", " ").strip()
    return f"""
  Estate Butler is running: {site_name}

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

  Logs: var/log/   Database: var/butler.db   Press Ctrl-C to stop everything.
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m launcher",
                                 description="Run the whole estate (make demo).")
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--no-kiosk", action="store_true", help="do not open the kiosk window")
    args = ap.parse_args(argv)

    site = load_site_or_exit(args.config)
    settings = Settings.from_site(site)
    config_arg = ["--config", args.config] if args.config else []
    embedded = not os.environ.get("BUTLER_MQTT_URL")
    mqtt = urlsplit(settings.mqtt_url)
    api = urlsplit(settings.api_url)
    mqtt_host, mqtt_port = mqtt.hostname or "127.0.0.1", mqtt.port or 1883
    api_host, api_port = api.hostname or "127.0.0.1", api.port or 8700

    for what, host, port, skip in (("the control room", api_host, api_port, False),
                                   ("the embedded MQTT broker", mqtt_host, mqtt_port,
                                    not embedded)):
        if not skip and port_open(host, port):
            sys.exit(f"error: {host}:{port}, wanted for {what}, is already in use. "
                     "Is another demo running? Stop it, or set BUTLER_API_URL / BUTLER_MQTT_URL.")

    log_dir = VAR / "log"
    group = ProcessGroup(log_dir)
    stopping = False

    def on_signal(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if embedded:
            print(f"starting the embedded MQTT broker on {settings.mqtt_url} ...", flush=True)
            b = group.start("broker", ["-m", "gateway.embedded_broker", *config_arg])
            group.wait_port(mqtt_host, mqtt_port, b)
        else:
            print(f"using the MQTT broker at {settings.mqtt_url}", flush=True)
        print(f"starting the control room on {settings.api_url} ...", flush=True)
        c = group.start("controlroom", ["-m", "controlroom", *config_arg])
        group.wait_http(f"{settings.api_url}/api/health", c, timeout=60)
        print("starting the gateway ...", flush=True)
        group.start("gateway", ["-m", "gateway", *config_arg])
        print(f"starting the simulated estate ({len(site.devices)} devices) ...", flush=True)
        sim = group.start("firmware_sim", ["-m", "firmware_sim", *config_arg, "run"])
        sock = Path(ROOT / "var" / "firmware_sim.sock")
        group.wait_for("the simulated devices", sock.exists, 60, sim)
        display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        if display and not args.no_kiosk:
            group.start("kiosk", ["-m", "kiosk", *config_arg])
            kiosk_note = f"window on display {display}"
        else:
            kiosk_note = ("no display here; start it on one with `.venv/bin/python -m kiosk` "
                          "(or `xvfb-run -a .venv/bin/python -m kiosk`)")
        staff = [(s.username, s.password, s.role) for s in site.staff.values()]
        staff += [(k.id, k.password, "kiosk") for k in site.kiosks.values()]
        print(_banner(f"{site.name_zh} {site.name_en}", settings.api_url, settings.mqtt_url,
                      staff, kiosk_note, config_arg), flush=True)
        while not stopping:
            dead = group.failed()
            if dead is not None and dead.name != "kiosk":
                print(f"\n{dead.name} stopped unexpectedly (status {dead.proc.returncode}):\n"
                      f"{tail(dead.log)}", file=sys.stderr)
                break
            time.sleep(0.5)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        group.stop_all()
        sys.exit(1)
    print("\nstopping ...", flush=True)
    group.stop_all()
    print("stopped.")


if __name__ == "__main__":
    main()
