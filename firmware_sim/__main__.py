"""`python -m firmware_sim`: run a simulated estate, or raise events on its devices."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

from config import Settings, Site, load_site_or_exit
from firmware_sim.building import Simulation, send_control
from firmware_sim.device import SimDevice
from firmware_sim.state import CounterStore
from firmware_sim.wire import MqttError

DEFAULT_CONTROL = Path("var/firmware_sim.sock")
DEFAULT_STATE = Path("var/firmware_sim-state.json")
GAS_LEL = {"alarm": 27.5, "prealarm": 12.0, "normal": 0.8}


def _broker(url: str) -> tuple[str, int]:
    u = urlsplit(url)
    return u.hostname or "127.0.0.1", u.port or 1883


def _devices(site: Site, host: str, port: int, building: str | None, interval: float | None,
             store: CounterStore) -> list[SimDevice]:
    out = []
    for d in site.devices.values():
        if building and d.building != building:
            continue
        boot, seq = store.get(d.id)
        out.append(SimDevice(d.id, d.kind, d.unit, site.id, host, port, boot=boot, seq=seq,
                             interval_s=interval or d.supervision_interval_s))
    return out


def _device_for(site: Site, args: argparse.Namespace, prefix: str) -> str:
    if getattr(args, "device", None):
        dev = args.device
    elif getattr(args, "unit", None):
        if args.unit not in site.units:
            sys.exit(f"error: no unit {args.unit!r} at site {site.id} (units look like 1-2-1502)")
        dev = f"{prefix}-{args.unit}"
    else:
        sys.exit("error: name a --unit or a --device")
    if dev not in site.devices:
        sys.exit(f"error: no device {dev!r} at site {site.id}")
    return dev


async def _raise(site: Site, args: argparse.Namespace, device: str, etype: str, state: str,
                 extra: dict[str, object]) -> int:
    req = {"cmd": "event", "device": device, "type": etype, "state": state, "extra": extra}
    reply = await send_control(args.control, req)
    if reply is not None:
        if not reply.get("ok"):
            print(f"error: {reply.get('error')}", file=sys.stderr)
            return 1
        print(f"{device}: {etype}/{state} raised by the running simulation "
              f"(boot {reply['boot']}, seq {reply['seq']})")
        return 0
    # No simulation running: act as the device for one event.
    host, port = _broker(args.mqtt_url)
    store = CounterStore(args.state_file)
    boot, seq = store.get(device)
    kind = site.devices[device].kind
    dev = SimDevice(device, kind, site.devices[device].unit, site.id, host, port,
                    boot=max(boot, 1), seq=seq)
    dev.client = dev.new_client()
    try:
        await dev.client.connect()
        seq = await dev.raise_event(etype, state, **extra)
        if dev.pending:
            raise MqttError("the broker did not acknowledge the event")
    except (OSError, MqttError, TimeoutError) as exc:
        print(f"error: cannot reach the broker at {host}:{port}: {exc}", file=sys.stderr)
        return 1
    finally:
        await dev.client.disconnect()
    store.put(device, dev.boot, dev.seq)
    store.save()
    print(f"{device}: {etype}/{state} published (boot {dev.boot}, seq {seq})")
    return 0


async def _run(site: Site, args: argparse.Namespace) -> int:
    host, port = _broker(args.mqtt_url)
    store = CounterStore(args.state_file)
    devices = _devices(site, host, port, args.building, args.interval, store)
    sim = Simulation(devices, store, args.control)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, sim.stop.set)
    logging.getLogger("firmware_sim").info(
        "simulating %d devices of site %s on mqtt://%s:%d; control socket %s",
        len(devices), site.id, host, port, args.control)
    await sim.run()
    return 0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m firmware_sim",
        description="Simulated gas detectors and emergency buttons speaking device protocol v1.",
        epilog="Examples: `python -m firmware_sim run` (the whole estate); "
               "`python -m firmware_sim gas --unit 1-2-1502` (gas alarm in that flat); "
               "`python -m firmware_sim press --unit 1-2-1502` (emergency button).",
    )
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--mqtt-url", help="broker URL (default: BUTLER_MQTT_URL or the site file)")
    ap.add_argument("--control", type=Path, default=DEFAULT_CONTROL,
                    help=f"control socket of the running simulation (default: {DEFAULT_CONTROL})")
    ap.add_argument("--state-file", type=Path, default=DEFAULT_STATE,
                    help="where boot counters and sequences are kept")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every device: online, heartbeat, obey commands")
    run.add_argument("--building", help="only this building's devices")
    run.add_argument("--interval", type=float, help="heartbeat seconds (default: site setting)")
    gas = sub.add_parser("gas", help="gas detector event in a flat")
    gas.add_argument("--unit")
    gas.add_argument("--device")
    gas.add_argument("--state", choices=["alarm", "prealarm", "normal"], default="alarm")
    gas.add_argument("--lel", type=float, help="gas level, %% LEL")
    for name, helptext in (("press", "press the emergency button"),
                           ("reset", "reset the emergency button")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--unit")
        p.add_argument("--device")
    lst = sub.add_parser("list", help="list the devices of the running simulation")
    lst.add_argument("--building")
    args = ap.parse_args(argv)

    site = load_site_or_exit(args.config)
    args.mqtt_url = args.mqtt_url or Settings.from_site(site).mqtt_url
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "run":
        sys.exit(asyncio.run(_run(site, args)))
    if args.command == "gas":
        dev = _device_for(site, args, "gas")
        lel = args.lel if args.lel is not None else GAS_LEL[args.state]
        sys.exit(asyncio.run(_raise(site, args, dev, "gas", args.state, {"lel": lel})))
    if args.command in ("press", "reset"):
        dev = _device_for(site, args, "btn")
        state = "pressed" if args.command == "press" else "reset"
        sys.exit(asyncio.run(_raise(site, args, dev, "panic", state, {})))
    if args.command == "list":
        reply = asyncio.run(send_control(args.control, {"cmd": "list"}))
        rows = reply["devices"] if reply else [
            {"id": d.id, "kind": d.kind, "unit": d.unit, "online": None}
            for d in site.devices.values()]
        for r in rows:
            if args.building and not str(r["unit"]).startswith(f"{args.building}-"):
                continue
            online = {True: "online", False: "offline", None: "-"}[r["online"]]
            print(f"{r['id']:<28} {r['kind']:<13} {r['unit']:<10} {online}")
        sys.exit(0)


if __name__ == "__main__":
    main()
