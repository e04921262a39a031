"""`python -m firmware_sim panel-ip`: one event from a site's panel over IP (SIA DC-09 over TCP
or UDP, ADM-CID or SIA-DCS, encrypted with the panel's key from the site file when it has one);
prints the receiver's answers and exits 0 when the event was acknowledged."""

from __future__ import annotations

import argparse
from typing import Any

from config import Site
from firmware_sim import dc09
from firmware_sim.console import say
from firmware_sim.dc09_ip import IpPanel
from firmware_sim.panel import EVENTS, PANEL_ZONE
from firmware_sim.panel_cli import _pick_panel


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "panel-ip", help="send one event from a panel over IP (SIA DC-09, TCP or UDP)",
        description="Sends one Contact ID or SIA-DCS event to a DC-09 receiver (the "
                    "gateway's --dc09-port) and prints its answers.")
    p.add_argument("--panel", help="panel id (default: the site's only panel)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True, help="the receiver's port")
    p.add_argument("--udp", action="store_true", help="UDP instead of TCP")
    p.add_argument("--format", choices=["ADM-CID", "SIA-DCS"], default="SIA-DCS")
    p.add_argument("--clear", action="store_true",
                   help="send in clear even if the panel has a key")
    p.add_argument("--event", choices=sorted(EVENTS), default="gas")
    p.add_argument("--unit", help="flat whose zone raises it (default: zone 000, the panel)")
    p.add_argument("--restore", action="store_true")
    p.add_argument("--clock-offset", type=float, default=0.0,
                   help="seconds the panel's clock is off (a stale clock is refused)")
    p.set_defaults(handler=run_cli)


def run_cli(site: Site, args: argparse.Namespace) -> int:
    try:
        panel = _pick_panel(site, args.panel)
        zone = PANEL_ZONE
        if args.unit:
            zones = [int(z) for z, u in panel.zones.items() if u == args.unit]
            if not zones:
                raise ValueError(f"no zone of {panel.id} is wired to {args.unit}")
            zone = zones[0]
    except ValueError as exc:
        say(f"error: {exc}", err=True)
        return 2
    ip = IpPanel(panel.account, args.host, args.port, transport="udp" if args.udp else "tcp",
                 fmt=args.format, key=None if args.clear else panel.key)
    try:
        sent = ip.send(dc09.RESTORE if args.restore else dc09.NEW, EVENTS[args.event], zone,
                       clock_offset_s=args.clock_offset)
    finally:
        ip.close()
    say(f"{panel.id} {args.format} {args.event} zone {zone:03d} seq {sent.seq:04d}: "
        f"{' '.join(sent.answers)} -> {sent.status}")
    return 0 if sent.status == "acked" else 1
