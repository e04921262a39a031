"""`python -m firmware_sim load`: many devices publishing telemetry at a fixed rate, to load a
broker or the gateway, and a report of what was sent and what the broker acknowledged.

Devices are the site's own (in the site file's order) and then synthetic ones, `load-00001`
and on; the gateway quarantines the synthetic ones as unregistered devices (ARCHITECTURE §4),
which is load of its own kind. Payloads are contract telemetry on
`estate/v1/{site}/{device}/tel`, with a per-device `seq` from 1 and one `boot` for the run.

Two modes:

- `per-device`: each device on its own MQTT connection (client id = device id, last will
  `offline` on its `state` topic), as real devices connect: loads the broker's connection
  handling. Do not run it beside `python -m firmware_sim run` on the same broker: the site's
  devices would take each other's client ids over.
- `multiplexed`: every device's messages spread over a few connections: loads whoever
  subscribes (the gateway) with few sockets in the way. Not how devices connect; a broker with
  per-device ACLs (ARCHITECTURE §9) would refuse it.

Telemetry is QoS 0 in the contract. The default here is QoS 1, so that each PUBACK counts a
message the broker took; `--qos 0` is the contract's, and then only what was written is known.

Pacing is a schedule, not a sleep per message: message m of the run is due at m / (N x R)
seconds and goes to device m mod N, so each device publishes every 1/R s; every tick (5 ms)
sends whatever is due. Whatever is not sent by the end (plus 0.5 s) is reported as behind.
`--processes P` splits the devices over P worker processes (each with its own event loop),
started together, and sums their reports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import resource
import secrets
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from config import Site
from firmware_sim.console import say
from firmware_sim.load_processes import run_processes
from firmware_sim.load_report import Plan, own_usage, print_report
from firmware_sim.load_worker import run_worker

FD_MARGIN = 64


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "load", help="load a broker or the gateway: N devices sending telemetry at a rate",
        description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 all sent (and acknowledged, at QoS 1); 1 a connection or "
               "message failed; 2 bad arguments or too low a file limit; 3 more than 1% of "
               "the schedule left unsent (the rate was not sustained).")
    p.add_argument("--devices", type=int, default=1000, metavar="N",
                   help="how many devices: the site's first, then synthetic load-00001... "
                        "(the gateway quarantines those as unregistered) (default: 1000)")
    p.add_argument("--rate", type=float, default=1.0, metavar="R",
                   help="telemetry messages per second per device (default: 1)")
    p.add_argument("--seconds", type=float, default=60.0, metavar="S",
                   help="how long to send (default: 60)")
    p.add_argument("--mode", choices=["per-device", "multiplexed"], default="per-device",
                   help="a connection per device (loads the broker), or the devices "
                        "multiplexed over --connections (loads the gateway) "
                        "(default: per-device)")
    p.add_argument("--connections", type=int, default=8, metavar="K",
                   help="connections in multiplexed mode (default: 8)")
    p.add_argument("--qos", type=int, choices=[0, 1], default=1,
                   help="1 (default) counts the broker's PUBACKs; telemetry is QoS 0 in the "
                        "contract")
    p.add_argument("--processes", type=int, default=1, metavar="P",
                   help="worker processes to spread the devices over (default: 1)")
    p.add_argument("--connect-concurrency", type=int, default=200, metavar="C",
                   help="connection attempts in flight at once, per process (default: 200)")
    p.add_argument("--connect-timeout", type=float, default=30.0,
                   help="seconds for one connection attempt (default: 30)")
    p.add_argument("--ack-timeout", type=float, default=10.0,
                   help="seconds to wait for the last PUBACKs after sending (default: 10)")
    p.add_argument("--boot", type=int, help="boot counter in the payloads (default: now, "
                                             "in seconds since the epoch)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the report as JSON")
    p.set_defaults(handler=run)


# -- the command ------------------------------------------------------------------------------

def run(site: Site, args: argparse.Namespace) -> int:
    for name, lo in (("devices", 1), ("connections", 1), ("processes", 1),
                     ("connect_concurrency", 1)):
        if getattr(args, name) < lo:
            say(f"error: --{name.replace('_', '-')} must be at least {lo}", err=True)
            return 2
    if args.rate <= 0 or args.seconds <= 0:
        say("error: --rate and --seconds must be positive", err=True)
        return 2
    u = urlsplit(args.mqtt_url)
    host, port = u.hostname or "127.0.0.1", u.port or 1883
    devices = device_list(site, args.devices)
    processes = min(args.processes, len(devices))
    per_device = args.mode == "per-device"
    conns = len(devices) if per_device else max(args.connections, processes)
    err = raise_fd_limit(math.ceil(conns / processes) + FD_MARGIN)
    if err:
        say(f"error: {err}", err=True)
        return 2
    boot = args.boot if args.boot is not None else int(time.time())
    token = secrets.token_hex(3)
    plans = []
    for w in range(processes):
        part = _slice(devices, w, processes)
        k = len(part) if per_device else _share(conns, w, processes)
        plans.append(Plan(host, port, site.id, part, args.rate, args.seconds, args.mode, k,
                          args.qos, boot, args.connect_concurrency, args.connect_timeout,
                          args.ack_timeout, w, token))
    n_site = min(len(devices), len(site.devices))
    say(f"load: {len(devices)} devices ({n_site} of site {site.id}, "
        f"{len(devices) - n_site} synthetic) x {args.rate:g} msg/s for {args.seconds:g} s "
        f"= {len(devices) * args.rate:g} msg/s target, {args.mode}, {conns} connections, "
        f"QoS {args.qos}, {processes} process(es), mqtt://{host}:{port}", err=True)
    if processes == 1:
        report = asyncio.run(run_worker(plans[0], progress=True))
        cpu_total, rss = own_usage()
        report.cpu_s = round(cpu_total, 2)
        report.peak_rss_mb = report.rss_sum_mb = round(rss, 1)
    else:
        report = run_processes(plans)
    report.processes = processes
    report.connections = conns
    report.broker = f"mqtt://{host}:{port}"
    report.site_devices, report.synthetic_devices = n_site, len(devices) - n_site
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(report), indent=2) + "\n")
    if report.connect_failed or report.failed or report.lost or report.unacked:
        return 1
    if report.behind > 0.01 * report.scheduled:
        return 3  # ran, but did not sustain the target rate
    return 0


def device_list(site: Site, n: int) -> list[tuple[str, str]]:
    """The site's devices first, then synthetic `load-00001`..."""
    out = [(d.id, d.kind) for d in site.devices.values()][:n]
    width = max(5, len(str(n)))
    out += [(f"load-{i:0{width}d}", "gas_detector") for i in range(1, n - len(out) + 1)]
    return out


def _slice(items: Sequence[tuple[str, str]], w: int, parts: int) -> list[tuple[str, str]]:
    lo = len(items) * w // parts
    hi = len(items) * (w + 1) // parts
    return list(items[lo:hi])


def _share(total: int, w: int, parts: int) -> int:
    return total * (w + 1) // parts - total * w // parts


def raise_fd_limit(need: int) -> str | None:
    """Raise the soft RLIMIT_NOFILE to the hard limit; an error message if still below `need`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    if soft != resource.RLIM_INFINITY and soft < need:
        return (f"need {need} open files per process, the limit is {soft} (hard {hard}): "
                "raise it (`ulimit -Hn`, /etc/security/limits.conf, LimitNOFILE=), "
                "or spread the devices with --processes, or use --mode multiplexed")
    return None
