"""`python -m gateway`: ingest devices over MQTT and raise alerts in the control room."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import ssl
import sys
import threading
from pathlib import Path

from config import Settings, Site, load_site_or_exit
from config.logs import setup as setup_logs
from config.settings import (
    CA_FILE,
    DC09_PORT,
    GATEWAY_METRICS_ADDRESS,
    GATEWAY_METRICS_PORT,
    GATEWAY_PASSWORD,
    GATEWAY_SOURCE,
    LOG_FORMAT,
    MQTT_CA,
    MQTT_PASSWORD,
    MQTT_USERNAME,
    NATS_URL,
    exit_on_bad_setting,
)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m gateway",
        description="Estate Butler gateway: validates and classifies device events and "
                    "delivers alerts to the control room.",
        epilog="Environment: BUTLER_MQTT_URL, BUTLER_API_URL, BUTLER_GATEWAY_PASSWORD, "
               "BUTLER_SITE; the broker account: BUTLER_MQTT_USERNAME, BUTLER_MQTT_PASSWORD, "
               "BUTLER_MQTT_CA (CA file for mqtts://); BUTLER_GATEWAY_METRICS_PORT.",
    )
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--mqtt-url", help="broker URL (default: BUTLER_MQTT_URL or the site file)")
    ap.add_argument("--api-url", help="control room URL (default: BUTLER_API_URL or the site)")
    ap.add_argument("--client-id", help="MQTT client id (default: gateway-<site>)")
    ap.add_argument("--replica-id", metavar="ID",
                    help="this replica's name: its own MQTT session and outbox")
    ap.add_argument("--shared-group", metavar="GROUP",
                    help="share the devices' events with the other replicas of GROUP "
                         "(MQTT v5 $share/GROUP/...; needs --replica-id)")
    ap.add_argument("--mqtt-ca", metavar="PATH", default=MQTT_CA.read(),
                    help="CA certificate the broker's TLS certificate is checked against")
    ap.add_argument("--state-dir", type=Path, default=Path("var"),
                    help="where the durable outbox and supervision state live (default: var)")
    ap.add_argument("--log-format", choices=["text", "json"],
                    default=LOG_FORMAT.read(),
                    help="text lines, or one JSON object per line (BUTLER_LOG_FORMAT)")
    ap.add_argument("--metrics-port", type=int, default=GATEWAY_METRICS_PORT.read(),
                    help="Prometheus /metrics and /health port (default: "
                         "BUTLER_GATEWAY_METRICS_PORT or the site's; 0: any)")
    ap.add_argument("--metrics-address", default=GATEWAY_METRICS_ADDRESS.read(),
                    help="address /metrics, /healthz and /readyz listen on (default: "
                         "BUTLER_GATEWAY_METRICS_ADDRESS or 127.0.0.1; 0.0.0.0 for a "
                         "Prometheus on another host)")
    ap.add_argument("--panel", action="append", default=[], metavar="PANEL_ID=/dev/path",
                    help="serial port of a wired panel, overriding the site's (repeatable)")
    ap.add_argument("--dc09-port", type=int, default=DC09_PORT.read(),
                    help="receive SIA DC-09 from panels over IP on this TCP and UDP port "
                         "(BUTLER_DC09_PORT; 0: any; default: off)")
    ap.add_argument("--source", choices=["mqtt", "nats"],
                    default=GATEWAY_SOURCE.read(),
                    help="devices' traffic from an MQTT broker (default), or from a NATS "
                         "cluster's JetStream, as one of several replicas (BUTLER_GATEWAY_SOURCE)")
    ap.add_argument("--nats-url", action="append", default=[], metavar="nats://HOST:PORT",
                    help="with --source nats: a server of the cluster (repeatable, or "
                         "comma-separated; default: BUTLER_NATS_URL)")
    ap.add_argument("--nats-replicas", type=int, default=3, metavar="R",
                    help="with --source nats: replicas of the event stream and the "
                         "supervision lease (default: 3; at most the cluster's size)")
    return ap


def _panel_ports(ap: argparse.ArgumentParser, site: Site, specs: list[str]) -> dict[str, str]:
    """Each panel's serial port: the site's, or a `--panel PANEL_ID=/dev/path` override."""
    ports = {p.id: p.port for p in site.panels.values()}
    for spec in specs:
        pid, eq, path = spec.partition("=")
        if not eq or not path or pid not in ports:
            ap.error(f"--panel {spec!r}: want PANEL_ID=/dev/path with a panel of the site "
                     f"({', '.join(sorted(ports)) or 'none'})")
        ports[pid] = path
    return ports


def main(argv: list[str] | None = None) -> None:
    with exit_on_bad_setting():  # the parser's defaults are the variables
        ap = build_parser()
        nats_default = list(NATS_URL.read())
    args = ap.parse_args(argv)
    if args.shared_group and not args.replica_id:
        ap.error("--shared-group needs --replica-id (each replica has its own session and "
                 "outbox)")
    nats_servers = [u.strip() for spec in args.nats_url for u in spec.split(",")
                    if u.strip()] or nats_default
    if args.source == "nats" and not nats_servers:
        ap.error("--source nats needs --nats-url nats://HOST:PORT (or BUTLER_NATS_URL)")

    site = load_site_or_exit(args.config)
    ports = _panel_ports(ap, site, args.panel)
    settings = Settings.from_site(site)
    setup_logs(args.log_format)
    os.environ[LOG_FORMAT.name] = args.log_format  # for the spawned telemetry process

    from gateway.controlroom_client import ControlRoomClient
    from gateway.metrics import serve
    from gateway.mqtt_link import LinkOptions
    from gateway.service import Gateway

    password = GATEWAY_PASSWORD.read() or site.staff[site.gateway_username].password
    if not password:  # a production site file holds only the account's hash
        sys.stderr.write(f"error: the site file has only a password_hash for "
                         f"{site.gateway_username!r}: set {GATEWAY_PASSWORD.name}\n")
        raise SystemExit(2)
    with exit_on_bad_setting():
        ca_file = CA_FILE.read()
    verify = ssl.create_default_context(cafile=ca_file) if ca_file else True
    client = ControlRoomClient(args.api_url or settings.api_url, site.gateway_username, password,
                               verify=verify)
    link = LinkOptions(MQTT_USERNAME.read(), MQTT_PASSWORD.read(), args.mqtt_ca)
    gw = Gateway(site, args.mqtt_url or settings.mqtt_url, client, args.state_dir,
                 args.client_id, args.replica_id, args.shared_group, link,
                 nats_servers=nats_servers if args.source == "nats" else None,
                 nats_replicas=args.nats_replicas)
    port = site.gateway_metrics_port if args.metrics_port is None else args.metrics_port
    try:
        server = serve(args.metrics_address, port, gw.snapshot,
                       lambda: gw.link.connected.is_set() and gw.tel.connected.is_set())
    except OSError as exc:
        sys.stderr.write(f"error: cannot serve metrics on {args.metrics_address}:{port}: "
                         f"{exc.strerror}; "
                         "choose another with --metrics-port or BUTLER_GATEWAY_METRICS_PORT\n")
        raise SystemExit(1) from None
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    gw.start()
    from gateway.serial_link import SerialLink

    panels = [SerialLink(gw, site.panels[pid], dev).start()
              for pid, dev in ports.items() if dev not in ("sim", "ip")]
    dc09 = None
    if args.dc09_port is not None:
        from gateway.dc09_server import DC09Server

        dc09 = DC09Server(gw, list(site.panels.values()), "0.0.0.0", args.dc09_port).start()
    logging.getLogger("gateway").info(
        "gateway for site %s: %d devices, broker %s, control room %s, metrics "
        "http://%s:%d/metrics, %d signals waiting in the outbox", site.id,
        len(site.devices), ",".join(nats_servers) if args.source == "nats"
        else args.mqtt_url or settings.mqtt_url, args.api_url or settings.api_url,
        args.metrics_address, server.server_address[1], gw.outbox.depth())
    # A signal may be taken by any of the gateway's threads; Python runs the handler only when
    # the main thread next runs bytecode, so an untimed wait here could sleep through it (seen:
    # a gateway left running after its launcher was killed). Wake twice a second to let it run.
    while not done.wait(0.5):
        pass
    server.shutdown()
    for panel in panels:
        panel.stop()
    if dc09 is not None:
        dc09.stop()
    gw.stop()


if __name__ == "__main__":
    main()
