"""`python -m gateway`: ingest devices over MQTT and raise alerts in the control room."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from config import Settings, load_site_or_exit


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m gateway",
        description="Estate Butler gateway: validates and classifies device events and "
                    "delivers alerts to the control room.",
        epilog="Environment: BUTLER_MQTT_URL, BUTLER_API_URL, BUTLER_GATEWAY_PASSWORD, "
               "BUTLER_SITE.",
    )
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--mqtt-url", help="broker URL (default: BUTLER_MQTT_URL or the site file)")
    ap.add_argument("--api-url", help="control room URL (default: BUTLER_API_URL or the site)")
    ap.add_argument("--client-id", help="MQTT client id (default: gateway-<site>)")
    args = ap.parse_args(argv)

    site = load_site_or_exit(args.config)
    settings = Settings.from_site(site)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")

    from gateway.controlroom_client import ControlRoomClient
    from gateway.service import Gateway

    password = (os.environ.get("BUTLER_GATEWAY_PASSWORD")
                or site.staff[site.gateway_username].password)
    client = ControlRoomClient(args.api_url or settings.api_url, site.gateway_username, password)
    gw = Gateway(site, args.mqtt_url or settings.mqtt_url, client, args.client_id)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    gw.start()
    logging.getLogger("gateway").info(
        "gateway for site %s: %d devices, broker %s, control room %s", site.id,
        len(site.devices), args.mqtt_url or settings.mqtt_url, args.api_url or settings.api_url)
    done.wait()
    gw.stop()


if __name__ == "__main__":
    main()
