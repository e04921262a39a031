"""`python -m firmware_sim panel`: a simulated wired alarm panel (firmware_sim.panel) on a
pseudo-terminal, from the command line; it prints the pty's path for the gateway to open and
each delivery's outcome."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from typing import Any

from config import Panel, Site
from firmware_sim import dc09
from firmware_sim.console import say
from firmware_sim.panel import EVENTS, Delivery, SimPanel


def add_parser(sub: Any) -> None:
    """Add the `panel` subcommand to the firmware_sim CLI (firmware_sim.__main__.EXTENSIONS)."""
    p = sub.add_parser(
        "panel", help="run a wired alarm panel (SIA DC-09 / Contact ID) on a pseudo-terminal",
        description="Runs the panel on a pty and prints its path for the gateway to open; "
                    "sends test reports until Ctrl-C. With --event, raises that event "
                    "after --delay seconds.")
    p.add_argument("--panel", help="panel id (default: the site's only panel)")
    p.add_argument("--event", choices=sorted(EVENTS))
    p.add_argument("--code", type=int, choices=sorted(dc09.CONDITION_OF),
                   help="Contact ID event code instead of the event's usual one (e.g. 121)")
    p.add_argument("--unit", help="flat whose zone raises it (default: zone 000, the panel)")
    p.add_argument("--restore", action="store_true", help="send a restore (qualifier 3)")
    p.add_argument("--corrupt", choices=dc09.CORRUPTIONS,
                   help="corrupt the event's first transmission")
    p.add_argument("--delay", type=float, default=5.0,
                   help="seconds before raising the event, for the receiver to open the port "
                        "(default: 5)")
    p.add_argument("--ack-timeout", type=float, default=2.0, help="seconds (default: 2)")
    p.add_argument("--attempts", type=int, default=4,
                   help="transmissions before an event is given up (default: 4)")
    p.add_argument("--interval", type=float,
                   help="test report seconds (default: the panel's site setting)")
    p.add_argument("--link", type=Path, help="also make a symlink to the pty at this path")
    p.add_argument("--no-timestamp", action="store_true", help="send frames without timestamp")
    p.set_defaults(handler=run_cli)


def _pick_panel(site: Site, panel_id: str | None) -> Panel:
    if panel_id is None:
        if len(site.panels) == 1:
            return next(iter(site.panels.values()))
        raise ValueError(f"name a --panel ({', '.join(sorted(site.panels)) or 'none at site'})")
    if panel_id not in site.panels:
        raise ValueError(f"no panel {panel_id!r} at site {site.id} "
                         f"(panels: {', '.join(sorted(site.panels)) or 'none'})")
    return site.panels[panel_id]


def _describe(d: Delivery) -> str:
    kind = {dc09.NEW: "new", dc09.RESTORE: "restore", dc09.STATUS: "still active"}[d.qualifier]
    where = f"zone {d.zone:03d}" + (f" ({d.unit})" if d.unit else "")
    return (f"{dc09.CONDITION_OF[d.event]} {d.event} {kind}, {where}, seq {d.seq or 0:04d}: "
            f"{d.status} after {d.attempts} transmission(s)")


def _print_result(d: Delivery) -> None:
    if d.event != dc09.TEST_REPORT or d.status != "acked":  # acked test reports are routine
        say(_describe(d))


def run_cli(site: Site, args: argparse.Namespace) -> int:
    try:
        panel = _pick_panel(site, args.panel)
        code: int | None = None
        if args.code is not None:
            code = args.code
            if args.event and code not in dc09.EVENT_CODES[args.event]:
                raise ValueError(f"code {code} is not a {args.event} event")
        elif args.event:
            code = EVENTS[args.event]
        elif args.unit or args.restore or args.corrupt:
            raise ValueError("--unit, --restore and --corrupt need an --event or --code")
        sim = SimPanel(panel, ack_timeout_s=args.ack_timeout, max_attempts=args.attempts,
                       test_report_interval_s=args.interval, timestamps=not args.no_timestamp,
                       on_result=_print_result, link=args.link)
        if args.unit:
            sim.zone_for(args.unit)
    except ValueError as exc:
        say(f"error: {exc}", err=True)
        return 2

    # Ctrl-C and SIGTERM are taken with sigwait() by this (main) thread, blocked before the
    # worker starts so that it inherits the mask: no handler runs in the middle of anything.
    signals = {signal.SIGINT, signal.SIGTERM}
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        with sim:
            say(f"{panel.id}: account {panel.account}, {len(panel.zones)} zones, on {sim.path}"
                + (f" (link {args.link})" if args.link else ""))
            if code is None:
                signal.sigwait(signals)
                return 0
            if args.delay > 0 and signal.sigtimedwait(signals, args.delay) is not None:
                return 0
            d = sim.send(code, unit=args.unit, restore=args.restore, corrupt=args.corrupt)
            signal.sigwait(signals)
        return 0 if d.status == "acked" else 1
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
