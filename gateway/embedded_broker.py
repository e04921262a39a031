"""`python -m gateway.embedded_broker`: the in-process MQTT broker (amqtt) of the embedded
default set-up. Production uses mosquitto, EMQX or NATS instead (BUTLER_MQTT_URL)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from urllib.parse import urlsplit

from config import Settings, load_site_or_exit
from config.logs import setup as setup_logs
from config.settings import LOG_FORMAT, exit_on_bad_setting


def broker_config(host: str, port: int) -> dict[str, object]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {
            # Demo only: anonymous devices. Production brokers get per-device accounts and
            # topic ACLs generated from the site file (ARCHITECTURE §9).
            "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
        },
    }


SHUTDOWN_S = 5.0


class _SnapshotDict(dict):  # type: ignore[type-arg]
    """amqtt 0.12 iterates its subscription table across awaits (on every connect and every
    broadcast), so a subscribe arriving meanwhile raises "dictionary changed size during
    iteration" and drops that client. Iterating over a snapshot keeps the same semantics
    without the race. See docs/decisions.md."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(super().keys()))

    def items(self):  # type: ignore[no-untyped-def]
        return list(super().items())


def _make_broker(config: dict[str, object]) -> object:
    from amqtt.broker import Broker

    class EmbeddedBroker(Broker):
        async def _publish_retained_messages_for_subscription(  # type: ignore[override]
            self, subscription: tuple[str, int], session: object
        ) -> None:
            # amqtt 0.12 calls this on every connect for *every* filter in the broker, so each
            # connecting device was sent the gateway's matches (all retained device states):
            # quadratic work in a connection storm. Only the session's own filters count.
            topic_filter = subscription[0]
            subs = self._subscriptions.get(topic_filter, [])
            if any(s.client_id == session.client_id for s, _ in subs):  # type: ignore[attr-defined]
                await super()._publish_retained_messages_for_subscription(subscription, session)

    broker = EmbeddedBroker(config)
    broker._subscriptions = _SnapshotDict()  # see _SnapshotDict
    return broker


async def serve(host: str, port: int, stop: asyncio.Event) -> None:
    broker = _make_broker(broker_config(host, port))
    await broker.start()  # type: ignore[attr-defined]
    logging.getLogger("gateway.broker").info("embedded MQTT broker on mqtt://%s:%d", host, port)
    await stop.wait()
    try:
        # amqtt waits for every client session to wind down; bound it so Ctrl-C is prompt.
        await asyncio.wait_for(broker.shutdown(), SHUTDOWN_S)  # type: ignore[attr-defined]
    except TimeoutError:
        logging.getLogger("gateway.broker").warning("broker shutdown cut short after %ss",
                                                    SHUTDOWN_S)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m gateway.embedded_broker",
                                 description="Embedded MQTT broker (amqtt) for the demo.")
    ap.add_argument("--config", metavar="PATH", help="site file (default: config/site.toml)")
    ap.add_argument("--port", type=int, help="listen port (default: from the site's MQTT URL)")
    args = ap.parse_args(argv)
    site = load_site_or_exit(args.config)
    url = urlsplit(Settings.from_site(site).mqtt_url)
    with exit_on_bad_setting():
        setup_logs(LOG_FORMAT.read())
    for noisy in ("amqtt", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(url.hostname or "127.0.0.1", args.port or url.port or 1883, stop)

    asyncio.run(run())


if __name__ == "__main__":
    main()
