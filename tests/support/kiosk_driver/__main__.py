"""`python -m tests.support.kiosk_driver --script run.json [python -m kiosk options]`: the
real kiosk, built as `python -m kiosk` builds it, with the script driver attached."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.__main__ import build_app, build_parser


def main(argv: list[str] | None = None) -> int:
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
