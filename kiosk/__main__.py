"""`python -m kiosk`: start the lobby kiosk window.

The site file is loaded and the display checked before Kivy is imported, so a broken site file
or a missing display gives a one-line message, not a traceback or a half-opened window.
"""

from __future__ import annotations

import argparse
import os
import ssl
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from config import DEFAULT_SITE_PATH, Settings, Site, load_site_or_exit
from config.logs import setup as setup_logs
from config.settings import CA_FILE, DEMO, KIOSK_SECRET, LOG_FORMAT, exit_on_bad_setting
from kiosk.api_client import ApiClient
from kiosk.boot import (
    LANDSCAPE,
    PORTRAIT,
    XVFB_HINT,
    configure_kivy,
    display_problem,
    parse_size,
    prepare_environment,
)
from kiosk.catalogue import LANGS, parse_lang
from kiosk.controller import KioskController
from kiosk.fonts import choose_font
from kiosk.idle import DEFAULT_IDLE_S
from kiosk.kiosk_api import KioskApi
from kiosk.readers import ReaderKind
from kiosk.tasks import TaskRunner

if TYPE_CHECKING:
    from kiosk.app import KioskApp


def _size(value: str) -> tuple[int, int]:
    try:
        return parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _tell(message: str) -> None:
    """A line for the person at the console (stderr: stdout stays free for --help)."""
    sys.stderr.write(message + "\n")


def build_parser(prog: str = "python -m kiosk") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The Estate Butler lobby kiosk: service menus on a touch screen.",
        epilog=(
            f"Without a display, run it under a virtual one: {XVFB_HINT}. "
            "In production: python -m kiosk --api https://HOST:PORT --kiosk ID, its secret in "
            "BUTLER_KIOSK_SECRET or --secret-file; BUTLER_CA_FILE: the CA the control room's "
            "certificate is checked against. BUTLER_DEMO=1: the demo, from the site file "
            "(BUTLER_SITE, BUTLER_API_URL)."
        ),
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help=f"site file (default: $BUTLER_SITE or {DEFAULT_SITE_PATH})",
    )
    parser.add_argument(
        "--api", metavar="URL", help="the control room (https://...): the kiosk's configuration "
        "comes from it and the site file is never read"
    )
    parser.add_argument(
        "--kiosk", metavar="ID", help="this kiosk's id (with --config and no --api: the site "
        "file's first by default)"
    )
    parser.add_argument(
        "--secret-file", type=Path, metavar="PATH",
        help="a file holding this kiosk's secret (or BUTLER_KIOSK_SECRET)"
    )
    parser.add_argument("--lang", choices=LANGS, default="zh", help="start language (default: zh)")
    parser.add_argument(
        "--size",
        type=_size,
        default=PORTRAIT,
        metavar="WxH",
        help="window size in pixels: 1080x1920 portrait (default) or 1920x1080 landscape",
    )
    parser.add_argument(
        "--orientation",
        choices=["portrait", "landscape"],
        help="shorthand for --size 1080x1920 (portrait) or 1920x1080 (landscape)",
    )
    parser.add_argument("--fullscreen", action="store_true", help="kiosk mode: full screen")
    parser.add_argument(
        "--idle",
        type=float,
        default=DEFAULT_IDLE_S,
        metavar="SECONDS",
        help=f"end the session and show the attract screen after this long without a touch "
        f"(default {DEFAULT_IDLE_S:g})",
    )
    parser.add_argument(
        "--card-reader", metavar="PORT", help="serial port of the resident-card reader"
    )
    parser.add_argument("--scanner", metavar="PORT", help="serial port of the barcode scanner")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Kivy's log")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def build_app(args: argparse.Namespace) -> KioskApp | int:
    """The kiosk app for these options, ready to `run()`; or the exit code when it cannot
    start (the reason already told on stderr)."""
    with exit_on_bad_setting():
        demo = DEMO.read()
    if args.api:
        return _build_remote(args, demo)
    if not demo:
        _tell("kiosk: error: outside demo the kiosk takes its configuration from the control "
              "room, never the site file: python -m kiosk --api https://HOST:PORT --kiosk ID "
              "(its secret in BUTLER_KIOSK_SECRET or --secret-file), or BUTLER_DEMO=1")
        return 2
    site = load_site_or_exit(args.config)

    kiosk_id = args.kiosk or next(iter(site.kiosks), None)
    if kiosk_id is not None and kiosk_id not in site.kiosks:
        known = ", ".join(site.kiosks) or "none"
        _tell(f"{site.path}: kiosks: no kiosk {kiosk_id!r} (known: {known})")
        return 2

    problem = display_problem(os.environ)
    if problem:
        _tell(problem)
        return 1

    font = choose_font(site.kiosk_fonts)
    if font is None:
        _tell(
            f"kiosk: warning: none of the fonts in {site.path} [kiosk] fonts exists; Chinese "
            "will not render (install fonts-noto-cjk)"
        )

    prepare_environment(args.verbose)
    # Demo: the menus come from the site file (they show even with the control room down);
    # the rest through the kiosk API. Creating the client does not touch the network.
    api = None
    if kiosk_id is not None:
        account = site.kiosks[kiosk_id]
        api = KioskApi(ApiClient(Settings.from_site(site).api_url, account.id, account.password))
    return _app(args, site, kiosk_id, api, font)


def _read_secret(args: argparse.Namespace) -> str | int:
    with exit_on_bad_setting():
        secret = KIOSK_SECRET.read()
    if args.secret_file is not None:
        try:
            secret = args.secret_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            _tell(f"kiosk: error: cannot read --secret-file {args.secret_file}: {exc}")
            return 2
    if not secret:
        _tell(f"kiosk: error: no secret for kiosk {args.kiosk!r}: set "
              f"{KIOSK_SECRET.name} or give --secret-file")
        return 2
    return secret


def _build_remote(args: argparse.Namespace, demo: bool) -> KioskApp | int:
    """`--api URL --kiosk ID`: everything from the control room; the site file is not read."""
    from kiosk.remote_config import load_remote

    if not args.kiosk:
        _tell("kiosk: error: --api needs --kiosk ID (this kiosk's account)")
        return 2
    api_url = args.api.rstrip("/")
    scheme = urlsplit(api_url).scheme
    if scheme not in ("http", "https"):
        _tell(f"kiosk: error: --api {api_url!r} is not an http(s):// URL")
        return 2
    if scheme == "http" and not demo:
        _tell(f"kiosk: error: refusing the plain-HTTP API {api_url} outside demo (PINs would "
              f"cross the network in clear): use https:// ({CA_FILE.name} names your CA), "
              "or BUTLER_DEMO=1")
        return 2
    secret = _read_secret(args)
    if isinstance(secret, int):
        return secret
    problem = display_problem(os.environ)
    if problem:
        _tell(problem)
        return 1
    with exit_on_bad_setting():
        ca_file = CA_FILE.read()
    verify = ssl.create_default_context(cafile=ca_file) if ca_file else True
    api = KioskApi(ApiClient(api_url, args.kiosk, secret, verify=verify))
    loaded = load_remote(api, api_url, _tell)
    if isinstance(loaded, int):
        api.close()
        return loaded
    prepare_environment(args.verbose)
    return _app(args, loaded, args.kiosk, api, choose_font(loaded.kiosk_fonts))


def _app(args: argparse.Namespace, site: Site, kiosk_id: str | None, api: KioskApi | None,
         font: str | None) -> KioskApp:
    size = args.size
    if args.orientation:
        size = PORTRAIT if args.orientation == "portrait" else LANDSCAPE
    with exit_on_bad_setting():
        log_format = LOG_FORMAT.read()
    # Kivy's records go to Python's logging (no handler of Kivy's own), formatted like every
    # other service's: time, level, logger; JSON lines with BUTLER_LOG_FORMAT=json.
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    setup_logs(log_format)
    configure_kivy(size, args.fullscreen)
    from kiosk.app import KioskApp, deliver_on_ui_thread, register_font  # imports Kivy: now

    if font is not None:
        register_font(font)
    controller = KioskController(
        site, kiosk_id, api, TaskRunner(deliver_on_ui_thread), idle_s=args.idle,
        lang=parse_lang(args.lang),
    )
    readers: dict[ReaderKind, str] = {}
    if args.card_reader:
        readers["card"] = args.card_reader
    if args.scanner:
        readers["scanner"] = args.scanner
    app = KioskApp(controller, font_path=font, readers=readers)
    # The heartbeat (started by main) goes on the kiosk's own account, at the site's period.
    app.heartbeat = (api.client, site.kiosk_heartbeat_s) if api is not None else None
    return app


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = build_app(args)
    if isinstance(app, int):
        return app
    from kiosk import heartbeat, watchdog

    watchdog.attach(app)  # systemd's watchdog, when run by the unit in deploy/
    if app.heartbeat is not None:  # the control room hears from this kiosk (the kiosk fleet)
        client, every_s = app.heartbeat
        readers = {k: v for k, v in (("card", args.card_reader), ("scanner", args.scanner))
                   if v}
        heartbeat.start_for(client.another(), every_s, readers)
    app.run()
    return app.exit_code


if __name__ == "__main__":
    sys.exit(main())
