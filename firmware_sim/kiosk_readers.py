"""A simulated card reader and barcode scanner for the lobby kiosk, each on a pty.

`ReaderPty` owns the master side of a pseudo-terminal in raw mode; the kiosk opens the slave
(`path`, e.g. /dev/pts/7) with pyserial as it would /dev/ttyUSB0. `swipe(card)` and
`scan(code)` write one line each as the real devices do (docs/protocol/kiosk-readers.md).

    python -m firmware_sim readers [--link var/kiosk]

prints both ports (and makes var/kiosk-card, var/kiosk-scanner symlinks), then reads commands
from standard input: `card 04A3150201`, `scan 483920`, `raw card <text>`, `quit`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import termios
import tty
from pathlib import Path
from typing import Any

from config import Site
from firmware_sim.console import say

__all__ = ["ReaderPty", "add_parser"]


class ReaderPty:
    def __init__(self) -> None:
        self.master, slave = os.openpty()
        # Raw: no echo, no line editing, CR not turned into LF - bytes pass as a wire would.
        tty.setraw(slave, termios.TCSANOW)
        self.path = os.ttyname(slave)
        self._slave = slave  # held open so the pty survives until the kiosk opens it

    def write_line(self, text: str, end: bytes = b"\r\n") -> None:
        os.write(self.master, text.encode("ascii") + end)

    def swipe(self, card: str) -> None:
        self.write_line(card.upper())

    def scan(self, code: str) -> None:
        # Scanners in serial mode end a read with CR only.
        self.write_line(code, end=b"\r")

    def close(self) -> None:
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def _link(target: str, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    link.symlink_to(target)


def run(_site: Site, args: argparse.Namespace) -> int:
    card, scanner = ReaderPty(), ReaderPty()
    if args.link:
        _link(card.path, Path(f"{args.link}-card"))
        _link(scanner.path, Path(f"{args.link}-scanner"))
    say(f"card reader: {card.path}\nscanner: {scanner.path}")
    say("start the kiosk with: python -m kiosk --card-reader "
        f"{card.path} --scanner {scanner.path}")
    say("commands: card <hex uid> | scan <code> | raw card|scanner <text> | quit")
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] == "card" and len(words) == 2:
                card.swipe(words[1])
            elif words[0] == "scan" and len(words) == 2:
                scanner.scan(words[1])
            elif words[0] == "raw" and len(words) >= 3 and words[1] in ("card", "scanner"):
                (card if words[1] == "card" else scanner).write_line(" ".join(words[2:]))
            else:
                say(f"? {line.strip()}")
                continue
            say("ok")
    finally:
        card.close()
        scanner.close()
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("readers", help="a kiosk card reader and barcode scanner on ptys")
    p.add_argument("--link", help="also make symlinks PREFIX-card and PREFIX-scanner")
    p.set_defaults(handler=run)
