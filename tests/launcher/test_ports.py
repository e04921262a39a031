"""Which ports `make demo` listens on, and the variable that moves each (pure, no sockets)."""

from __future__ import annotations

import pytest

from config import Settings, load_site
from launcher.ports import PortSettingError, demo_ports
from tests.support.sites import DEMO_SITE


def _ports(env: dict[str, str]):  # type: ignore[no-untyped-def]
    site = load_site(DEMO_SITE)
    return demo_ports(site, Settings.from_site(site, env), env)


def test_the_defaults_are_the_site_files_ports() -> None:
    p = _ports({})
    assert [(x.port, x.variable) for x in p.listened()] == [
        (18830, "BUTLER_EMBEDDED_BROKER_PORT"), (8700, "BUTLER_API_URL"),
        (8701, "BUTLER_GATEWAY_METRICS_PORT")]
    assert p.mqtt_url == "mqtt://127.0.0.1:18830"


def test_each_port_is_moved_by_its_variable_and_the_broker_url_follows() -> None:
    p = _ports({"BUTLER_API_URL": "http://127.0.0.1:9700", "BUTLER_EMBEDDED_BROKER_PORT": "19830",
                "BUTLER_GATEWAY_METRICS_PORT": "9701"})
    assert [x.port for x in p.listened()] == [19830, 9700, 9701]
    assert p.mqtt_url == "mqtt://127.0.0.1:19830"


def test_an_external_broker_is_not_the_demos_to_check() -> None:
    p = _ports({"BUTLER_MQTT_URL": "mqtt://127.0.0.1:1883", "BUTLER_EMBEDDED_BROKER_PORT": "1"})
    assert p.broker is None and p.mqtt_url == "mqtt://127.0.0.1:1883"


def test_a_taken_port_message_names_the_port_and_how_to_move_it() -> None:
    msg = _ports({}).metrics.taken_message()  # type: ignore[union-attr]
    assert "8701" in msg and "BUTLER_GATEWAY_METRICS_PORT=PORT" in msg and "\n" not in msg
    assert "BUTLER_API_URL=http://127.0.0.1:PORT" in _ports({}).api.taken_message()


@pytest.mark.parametrize("raw", ["x", "-1", "70000"])
def test_a_port_that_is_not_a_number_is_refused_by_name(raw: str) -> None:
    with pytest.raises(PortSettingError, match="BUTLER_GATEWAY_METRICS_PORT"):
        _ports({"BUTLER_GATEWAY_METRICS_PORT": raw})
