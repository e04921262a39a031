import tomllib

import pytest

from config import load_site
from firmware_sim.scenario import SCENARIOS, ScenarioError, expand

SITE = load_site()


def _load(name: str) -> dict[str, object]:
    return tomllib.loads((SCENARIOS / f"{name}.toml").read_text())


def test_riser_leak_reaches_three_flats_of_one_riser_within_90_s() -> None:
    actions = expand(_load("riser-gas-leak"), SITE)
    assert [(a.do, a.device) for a in actions] == [
        ("gas", "gas-1-1-0801"), ("gas", "gas-1-1-0901"), ("gas", "gas-1-1-1001")]
    assert actions[-1].at - actions[0].at <= 90
    assert all(float(a.value) >= 25 for a in actions)  # type: ignore[arg-type]
    assert actions[0].request() == {"cmd": "stimulus", "device": "gas-1-1-0801",
                                    "what": "gas", "value": 31.0}


def test_power_cut_takes_40_devices_offline_and_brings_them_back() -> None:
    actions = expand(_load("power-cut"), SITE)
    offline = {a.device for a in actions if a.do == "offline"}
    online = {a.device for a in actions if a.do == "online"}
    assert len(offline) == 40 and offline == online
    mains = [a for a in actions if a.do == "mains"]
    assert len(mains) == 20 and all(a.device.startswith("gas-") for a in mains)
    assert max(a.at for a in mains) < min(a.at for a in actions if a.do == "offline")


def test_walk_test_presses_every_button_of_one_building_in_turn() -> None:
    actions = expand(_load("walk-test"), SITE, building="2")
    presses = [a for a in actions if a.do == "press"]
    assert len(presses) == 2 * 18 * 4
    assert all(a.device.startswith("btn-2-") for a in presses)
    assert [a.at for a in presses[:3]] == [0.0, 3.0, 6.0]
    first = [a for a in actions if a.device == presses[0].device]
    assert [(a.do, a.at) for a in first] == [("press", 0.0), ("reset", 1.0)]


def test_a_selector_matching_nothing_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="matches no device"):
        expand({"steps": [{"at": 0, "do": "press", "select": {"building": "9"}}]}, SITE)
    with pytest.raises(ScenarioError, match="unknown action"):
        expand({"steps": [{"at": 0, "do": "explode", "select": {}}]}, SITE)
