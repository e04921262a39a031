"""`python -m firmware_sim`: run a simulated estate, and act on its devices as a person would.

Most commands talk to the running simulation (`run`) through its control socket; `gas`,
`press` and `reset` also work with no simulation running, by briefly acting as the device.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from config import Settings, Site, load_site_or_exit
from config.credentials import SecretError
from config.logs import setup as setup_logs
from config.settings import LOG_FORMAT, exit_on_bad_setting
from firmware_sim import kiosk_readers, load, panel_cli, panel_ip_cli, scenario
from firmware_sim.access import Access, access
from firmware_sim.building import Simulation, send_control
from firmware_sim.console import say
from firmware_sim.device import SimDevice
from firmware_sim.state import CounterStore
from firmware_sim.wire import MqttError

# Command modules that add their own subcommands: each has `add_parser(subparsers)`, whose
# parser sets `handler=fn` with `fn(site, args) -> exit status`.
EXTENSIONS = [load, panel_cli, panel_ip_cli, scenario, kiosk_readers]

DEFAULT_CONTROL = Path("var/firmware_sim.sock")
DEFAULT_STATE = Path("var/firmware_sim-state.json")
GAS_LEL = {"alarm": 27.5, "prealarm": 12.0, "normal": 0.8}
PREFIX = {"gas": "gas", "btn": "btn"}


def _access(args: argparse.Namespace) -> Access:
    try:
        return access(args.mqtt_url, args.mqtt_ca, args.broker_secret_file)
    except SecretError as exc:
        sys.exit(f"error: {exc}")


def _devices(site: Site, acc: Access, building: str | None, interval: float | None,
             store: CounterStore) -> list[SimDevice]:
    out = []
    for d in site.devices.values():
        if building and d.building != building:
            continue
        boot, seq = store.get(d.id)
        out.append(SimDevice(d.id, d.kind, d.unit, site.id, acc.host, acc.port, boot=boot,
                             seq=seq, interval_s=interval or d.supervision_interval_s,
                             password=acc.password(site.id, d.id), tls=acc.tls))
    return out


def _target(site: Site, args: argparse.Namespace, prefix: str) -> str:
    """The device a command names: --device, or --unit with the device kind's prefix."""
    if getattr(args, "device", None):
        dev = args.device
    elif getattr(args, "unit", None):
        if args.unit not in site.units:
            sys.exit(f"error: no unit {args.unit!r} at site {site.id} (units look like 1-2-1502)")
        dev = f"{getattr(args, 'kind', None) or prefix}-{args.unit}"
    else:
        sys.exit("error: name a --unit or a --device")
    if dev not in site.devices:
        sys.exit(f"error: no device {dev!r} at site {site.id}")
    return str(dev)


def _ask(args: argparse.Namespace, request: dict[str, object]) -> dict[str, object]:
    reply = asyncio.run(send_control(args.control, request))
    if reply is None:
        sys.exit(f"error: no simulation is running at {args.control}; start one with "
                 "`python -m firmware_sim run` (make demo does)")
    if not reply.get("ok"):
        sys.exit(f"error: {reply.get('error')}")
    return reply


def _stimulus(args: argparse.Namespace, device: str, what: str, value: object) -> int:
    reply = _ask(args, {"cmd": "stimulus", "device": device, "what": what, "value": value})
    return _stimulus_print(device, reply)


async def _one_shot(site: Site, args: argparse.Namespace, device: str, etype: str, state: str,
                    extra: dict[str, object]) -> int:
    """No simulation running: act as the device for one event, then leave cleanly."""
    acc = _access(args)
    host, port = acc.host, acc.port
    store = CounterStore(args.state_file)
    boot, seq = store.get(device)
    spec = site.devices[device]
    dev = SimDevice(device, spec.kind, spec.unit, site.id, host, port, boot=max(boot, 1),
                    seq=seq, password=acc.password(site.id, device), tls=acc.tls)
    dev.client = dev.new_client()
    try:
        await dev.client.connect()
        [seq] = await dev.report([(etype, state, extra)])
        if dev.pending:
            raise MqttError("the broker did not acknowledge the event")
    except (OSError, MqttError, TimeoutError) as exc:
        say(f"error: cannot reach the broker at {host}:{port}: {exc}", err=True)
        return 1
    finally:
        await dev.client.disconnect()
    store.put(device, dev.boot, dev.seq)
    store.save()
    say(f"{device}: {etype}/{state} published (boot {dev.boot}, seq {seq})")
    return 0


def _emit(site: Site, args: argparse.Namespace, device: str, what: str, value: object,
          etype: str, state: str, extra: dict[str, object]) -> int:
    reply = asyncio.run(send_control(args.control, {"cmd": "stimulus", "device": device,
                                                    "what": what, "value": value}))
    if reply is None:
        return asyncio.run(_one_shot(site, args, device, etype, state, extra))
    if not reply.get("ok"):
        sys.exit(f"error: {reply.get('error')}")
    return _stimulus_print(device, reply)


def _stimulus_print(device: str, reply: dict[str, object]) -> int:
    reports = reply.get("reports") or []
    seqs = reply.get("seqs") or []
    said = ", ".join(f"{r} (boot {reply['boot']}, seq {s})"
                     for r, s in zip(reports, seqs, strict=False))  # type: ignore[call-overload]
    say(f"{device}: {said + ' raised by the running simulation' if said else 'no change'}")
    return 0


async def _run(site: Site, args: argparse.Namespace) -> int:
    acc = _access(args)
    host, port = acc.host, acc.port
    store = CounterStore(args.state_file)
    devices = _devices(site, acc, args.building, args.interval, store)
    sim = Simulation(devices, store, args.control)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, sim.stop.set)
    logging.getLogger("firmware_sim").info(
        "simulating %d devices of site %s on mqtt://%s:%d; control socket %s",
        len(devices), site.id, host, port, args.control)
    await sim.run()
    return 0


def _parse_fields(items: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        key, _, raw = item.partition("=")
        try:
            out[key] = int(raw)
        except ValueError:
            try:
                out[key] = float(raw)
            except ValueError:
                out[key] = raw
    return out


def _targeted(sub: argparse._SubParsersAction, name: str, helptext: str,  # type: ignore[type-arg]
              kinds: bool = True) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=helptext)
    p.add_argument("--unit", help="flat, e.g. 1-2-1502")
    p.add_argument("--device", help="device id, e.g. gas-1-2-1502")
    if kinds:
        p.add_argument("--kind", choices=["gas", "btn"],
                       help="with --unit: the gas detector (default) or the emergency button")
    return p


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m firmware_sim",
        description="Simulated gas detectors and emergency buttons speaking device protocol v1.",
        epilog="Examples: `python -m firmware_sim run` (the whole estate); "
               "`python -m firmware_sim gas --unit 1-2-1502` (gas alarm in that flat); "
               "`python -m firmware_sim press --unit 1-2-1502` (emergency button).",
    )
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--mqtt-url", help="broker URL (default: BUTLER_MQTT_URL or the site file)")
    ap.add_argument("--mqtt-ca", metavar="PATH",
                    help="CA certificate for an mqtts:// broker (default: BUTLER_MQTT_CA)")
    ap.add_argument("--broker-secret-file", type=Path, metavar="PATH",
                    help="the site's broker secret: each device then logs in with its own "
                         "account (or set BUTLER_BROKER_SECRET / BUTLER_BROKER_SECRET_FILE)")
    ap.add_argument("--control", type=Path, default=DEFAULT_CONTROL,
                    help=f"control socket of the running simulation (default: {DEFAULT_CONTROL})")
    ap.add_argument("--state-file", type=Path, default=DEFAULT_STATE,
                    help="where boot counters and sequences are kept")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every device: online, heartbeat, obey commands")
    run.add_argument("--building", help="only this building's devices")
    run.add_argument("--interval", type=float, help="heartbeat seconds (default: site setting)")
    lst = sub.add_parser("list", help="list the devices (online or not, when one is running)")
    lst.add_argument("--building")

    gas = _targeted(sub, "gas", "set the gas level at a flat's detector", kinds=False)
    gas.add_argument("--state", choices=["alarm", "prealarm", "normal"], default="alarm",
                     help="a level typical of this state (default alarm)")
    gas.add_argument("--lel", type=float, help="the gas level, %% LEL (overrides --state)")
    _targeted(sub, "press", "press the emergency button (latches)", kinds=False)
    _targeted(sub, "reset", "reset the emergency button", kinds=False)
    t = _targeted(sub, "tamper", "open or close a device's case")
    t.add_argument("--close", action="store_true", help="close it again")
    b = _targeted(sub, "battery", "drain the battery to low, or replace it")
    b.add_argument("--replace", action="store_true")
    m = _targeted(sub, "mains", "mains power lost, or restored")
    m.add_argument("--restore", action="store_true")
    f = _targeted(sub, "fault", "a device fault (sensor, valve, ...), or clear it")
    f.add_argument("--code", default="sensor")
    f.add_argument("--clear", action="store_true")
    v = _targeted(sub, "valve", "make the detector's gas valve stick, or free it", kinds=False)
    v.add_argument("--free", action="store_true")
    for name, helptext in (("offline", "take a device off the network (its last will fires)"),
                           ("online", "bring it back"),
                           ("reboot", "power-cycle it: new boot, sequence restarts")):
        _targeted(sub, name, helptext)
    ev = sub.add_parser("event", help="publish any event as a device (no behaviour applied)")
    ev.add_argument("--device", required=True)
    ev.add_argument("--type", required=True)
    ev.add_argument("--state", required=True)
    ev.add_argument("--field", action="append", default=[], metavar="K=V",
                    help="extra field, e.g. lel=30 (repeatable)")
    ev.add_argument("--as-device", help="publish under this other device's topic (spoofing)")
    inj = sub.add_parser("inject", help="inject a fault into a device's next messages")
    inj.add_argument("--device", required=True)
    inj.add_argument("fault", choices=["duplicate", "reorder", "skew", "drain", "malformed"])
    inj.add_argument("--value", help="skew: ms; drain: %% per heartbeat; malformed: entry name")
    for module in EXTENSIONS:
        module.add_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    site = load_site_or_exit(args.config)
    args.mqtt_url = args.mqtt_url or Settings.from_site(site).mqtt_url
    with exit_on_bad_setting():
        setup_logs(LOG_FORMAT.read())
    sys.exit(dispatch(site, args))


def dispatch(site: Site, args: argparse.Namespace) -> int:
    if getattr(args, "handler", None) is not None:
        return int(args.handler(site, args))
    command = COMMANDS.get(args.command)
    if command is None:
        raise AssertionError(f"unhandled command {args.command}")
    return command(site, args)


def _run_command(site: Site, args: argparse.Namespace) -> int:
    return asyncio.run(_run(site, args))


def _gas(site: Site, args: argparse.Namespace) -> int:
    dev = _target(site, args, "gas")
    state = args.state
    lel = args.lel if args.lel is not None else GAS_LEL[state]
    if args.lel is not None:
        state = "alarm" if lel >= 25 else "prealarm" if lel >= 10 else "normal"
    return _emit(site, args, dev, "gas", lel, "gas", state, {"lel": lel})


def _button(site: Site, args: argparse.Namespace) -> int:
    c = args.command
    dev = _target(site, args, "btn")
    return _emit(site, args, dev, c, None, "panic", "pressed" if c == "press" else "reset", {})


def _condition(site: Site, args: argparse.Namespace) -> int:
    c = args.command
    dev = _target(site, args, "gas")
    value: object = {
        "tamper": lambda: not args.close,
        "battery": lambda: "replace" if args.replace else 85,
        "mains": lambda: not args.restore,
        "fault": lambda: None if args.clear else args.code,
        "valve": lambda: not args.free,
    }[c]()
    what = "valve_stuck" if c == "valve" else c
    return _stimulus(args, dev, what, value)


def _link(site: Site, args: argparse.Namespace) -> int:
    c = args.command
    dev = _target(site, args, "gas")
    reply = _ask(args, {"cmd": c, "device": dev})
    say(f"{dev}: {c}" + (f" (now boot {reply['boot']})" if c == "reboot" else ""))
    return 0


def _event(site: Site, args: argparse.Namespace) -> int:
    reply = _ask(args, {"cmd": "event", "device": args.device, "type": args.type,
                        "state": args.state, "extra": _parse_fields(args.field),
                        "as_device": args.as_device})
    say(f"{args.device}: {args.type}/{args.state} seq {reply['seqs']}"
        + (f" under {args.as_device}'s topic" if args.as_device else ""))
    return 0


def _inject(site: Site, args: argparse.Namespace) -> int:
    reply = _ask(args, {"cmd": "inject", "device": args.device, "fault": args.fault,
                        "value": args.value})
    say(f"{args.device}: {args.fault} injected"
        + (f" (gateway must quarantine as {reply['reason']})" if "reason" in reply else ""))
    return 0


def _list(site: Site, args: argparse.Namespace) -> int:
    reply = asyncio.run(send_control(args.control, {"cmd": "list"}))
    rows = reply["devices"] if reply else [
        {"id": d.id, "kind": d.kind, "unit": d.unit, "online": None}
        for d in site.devices.values()]
    for r in rows:  # type: ignore[union-attr]
        if args.building and not str(r["unit"]).startswith(f"{args.building}-"):
            continue
        online = {True: "online", False: "offline", None: "-"}[r["online"]]
        say(f"{r['id']:<28} {r['kind']:<13} {r['unit']:<10} {online}")
    return 0


COMMANDS: dict[str, Callable[[Site, argparse.Namespace], int]] = {
    "run": _run_command, "list": _list, "gas": _gas, "press": _button, "reset": _button,
    **dict.fromkeys(("tamper", "battery", "mains", "fault", "valve"), _condition),
    **dict.fromkeys(("offline", "online", "reboot"), _link),
    "event": _event, "inject": _inject,
}


if __name__ == "__main__":
    main()
