"""`python -m controlroom backup --to PATH` and `python -m controlroom restore --from PATH`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config import Settings, load_site_or_exit
from config.credentials import DEFAULT_SECRET_FILE
from config.settings import BROKER_SECRET_FILE, exit_on_bad_setting
from controlroom.backup.archive import BackupError, backup_to, restore_from


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m controlroom",
        description="Back up the control room's database and the broker's secret into one "
                    "file, or restore them from one (stop the control room first).")
    sub = ap.add_subparsers(dest="command", required=True)
    for name, flag, what in (("backup", "--to", "the archive to write"),
                             ("restore", "--from", "the archive to restore")):
        p = sub.add_parser(name, help=f"{name} the database and the broker secret")
        p.add_argument(flag, dest="path", type=Path, required=True, metavar="PATH", help=what)
        p.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
        p.add_argument("--db-url", help="database URL (default: BUTLER_DB_URL or the site)")
        p.add_argument("--broker-secret-file", type=Path, metavar="PATH",
                       help="the broker secret's file (default: BUTLER_BROKER_SECRET_FILE or "
                            f"{DEFAULT_SECRET_FILE})")
    restore = sub.choices["restore"]
    restore.add_argument("--force-secret", action="store_true",
                         help="replace a different broker secret already in place")
    return ap


def main(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    site = load_site_or_exit(args.config)
    with exit_on_bad_setting():
        db_url = args.db_url or Settings.for_controlroom(site).db_url
        secret_file = args.broker_secret_file or BROKER_SECRET_FILE.read() or DEFAULT_SECRET_FILE
    try:
        if args.command == "backup":
            m = backup_to(args.path, db_url, secret_file)
            sys.stdout.write(
                f"backed up the {m.engine} database (schema {m.revision}) "
                f"{'and the broker secret ' if m.broker_secret else ''}to {args.path}\n")
            if not m.broker_secret:
                sys.stderr.write(f"note: no broker secret at {secret_file}; not in the backup\n")
        else:
            m = restore_from(args.path, db_url, secret_file, args.force_secret)
            sys.stdout.write(
                f"restored the {m.engine} database of {m.created_at} (schema {m.revision})"
                f"{f' and the broker secret to {secret_file}' if m.broker_secret else ''}\n")
    except BackupError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(1) from None
