"""`python -m controlroom`: the control room API and web console."""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from dataclasses import replace
from urllib.parse import urlsplit

from config import Settings, load_site_or_exit
from config.settings import LOG_FORMAT, exit_on_bad_setting

# `python -m controlroom NAME ...`: each subcommand is its own module with a `main(argv)`;
# without one, the control room serves.
SUBCOMMANDS = {
    "backup": "controlroom.backup.cli",
    "restore": "controlroom.backup.cli",
}


class RedactTokens:
    """Keep bearer tokens passed as ?access_token= (the SSE stream) out of the access log."""

    def filter(self, record: object) -> bool:
        args = getattr(record, "args", None)
        if isinstance(args, tuple):
            record.args = tuple(  # type: ignore[attr-defined]
                re.sub(r"access_token=[^&\s]+", "access_token=***", a) if isinstance(a, str)
                else a for a in args)
        return True


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["users"]:  # python -m controlroom users add|list|disable|reset|hash
        from controlroom.users_cli import run

        raise SystemExit(run(argv[1:]))
    if argv and argv[0] in SUBCOMMANDS:
        importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv)
        return
    serve(argv)


def serve(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m controlroom",
        description="Estate Butler control room: alarm API, system of record, web console. "
                    f"Subcommands: users, {', '.join(SUBCOMMANDS)} "
                    "(python -m controlroom NAME -h).",
        epilog="Environment: BUTLER_DEMO, BUTLER_DB_URL, BUTLER_API_URL, BUTLER_SECRET_KEY, "
               "BUTLER_SITE, BUTLER_TRUSTED_PROXIES, BUTLER_DEMO_DATA, "
               "BUTLER_PASSWORD_HASH_COST, BUTLER_LOG_FORMAT (the README's table of settings).",
    )
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--host", help="listen address (default: from the API URL)")
    ap.add_argument("--port", type=int, help="listen port (default: from the API URL)")
    ap.add_argument("--db-url", help="database URL (default: BUTLER_DB_URL or the site file)")
    ap.add_argument("--demo", action="store_true",
                    help="demo mode (as BUTLER_DEMO=1): allow the demo site file's passwords "
                         "and seed demo data; without it, production checks apply")
    ap.add_argument("--ssl-certfile", metavar="PEM", help="serve HTTPS with this certificate "
                    "(chain) file")
    ap.add_argument("--ssl-keyfile", metavar="PEM", help="... and this private key file")
    args = ap.parse_args(argv)
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        ap.error("--ssl-certfile and --ssl-keyfile go together")

    site = load_site_or_exit(args.config)
    with exit_on_bad_setting():
        settings = Settings.for_controlroom(site)
        log_format = LOG_FORMAT.read()
    settings = replace(settings, demo=settings.demo or args.demo)
    if args.db_url:
        settings = replace(settings, db_url=args.db_url)
    url = urlsplit(settings.api_url)

    from controlroom.core.production import production_problem
    from controlroom.core.security import Passwords

    if not settings.demo:  # checked before anything is logged or touched
        problem = production_problem(site, settings.secret_key, Passwords().verify)
        if problem:
            sys.stderr.write(f"error: {problem}\n")
            raise SystemExit(2)

    import logging

    import uvicorn

    from config.logs import setup as setup_logs
    from config.logs import uvicorn_config
    from controlroom.app import create_app

    setup_logs(log_format)  # one handler on the root: our records and uvicorn's alike
    passwords = Passwords.at_cost(settings.password_hash_cost)  # may warn: after setup
    app = create_app(site, settings, passwords)
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    # The client's address (sign-in throttling, the audit log) is the connection's own unless
    # it came through a proxy named here: X-Forwarded-For from anyone else is ignored.
    proxies = ",".join(settings.trusted_proxies)
    uvicorn.run(app, host=args.host or url.hostname or "127.0.0.1",
                port=args.port or url.port or 8700, log_level="info",
                log_config=uvicorn_config(),
                timeout_graceful_shutdown=3, proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None,
                ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)


if __name__ == "__main__":
    main()
