"""`python -m tests.support.kiosk_driver --script run.json [python -m kiosk options]`: the
real kiosk, built as `python -m kiosk` builds it, with the script driver attached."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from kiosk.__main__ import build_app, build_parser


def watch_opens(log: Path, forbidden: set[str]) -> None:
    """Append every file this process opens to `log` (once each), and refuse to open the
    `forbidden` ones (a site file made unreadable to the kiosk: root ignores chmod)."""
    seen: set[str] = set()
    out = log.open("a", encoding="utf-8")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not args or not isinstance(args[0], str | bytes | os.PathLike):
            return
        path = os.path.realpath(os.fsdecode(args[0]))
        if path in forbidden:
            raise PermissionError(13, "unreadable to the kiosk (test)", path)
        if path not in seen:
            seen.add(path)
            out.write(path + "\n")
            out.flush()

    sys.addaudithook(hook)


def main(argv: list[str] | None = None) -> int:
    opened = os.environ.get("KIOSK_TEST_OPENED_LOG")
    if opened:  # tests: which files the kiosk reads (tests/kiosk/test_kiosk_without_site.py)
        forbid = os.environ.get("KIOSK_TEST_FORBID", "")
        watch_opens(Path(opened), {os.path.realpath(p) for p in forbid.split(os.pathsep) if p})
    parser = build_parser(prog="python -m tests.support.kiosk_driver")
    parser.add_argument(
        "--script",
        type=Path,
        metavar="JSON",
        required=True,
        help="run scripted touches and write a report, then exit "
        "(see tests/support/kiosk_driver/__init__.py)",
    )
    args = parser.parse_args(argv)
    if not args.script.is_file():
        sys.stderr.write(f"kiosk: no such script file: {args.script}\n")
        return 2
    app = build_app(args)
    if isinstance(app, int):
        return app
    from tests.support.kiosk_driver.driver import ScriptDriver  # imports Kivy: configured now

    driver = ScriptDriver.from_file(app, args.script)
    # Kivy's clock holds the driver's callbacks weakly: this frame keeps it alive until the
    # window closes. It sets the exit code (0 when every step passed) and stops the app.
    app.bind(on_start=lambda *_args: driver.start())
    app.run()
    return app.exit_code


if __name__ == "__main__":
    sys.exit(main())
