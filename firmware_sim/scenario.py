"""Scenario files (firmware_sim/scenarios/*.toml): timed actions on selected devices, played
against a running simulation through its control socket.

    python -m firmware_sim scenario riser-gas-leak [--speed 10]
    python -m firmware_sim scenario walk-test --building 2

`expand()` is pure: scenario + site -> a sorted timeline, tested without any I/O.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from config import Site
from firmware_sim.building import send_control
from firmware_sim.console import say

SCENARIOS = Path(__file__).with_name("scenarios")
WALK_RESET_AFTER_S = 1.0  # a walk-test press is held this long, then reset

# action -> (control command, stimulus, value)
ACTIONS: dict[str, tuple[str, str | None, object]] = {
    "gas": ("stimulus", "gas", None),
    "press": ("stimulus", "press", None),
    "reset": ("stimulus", "reset", None),
    "tamper": ("stimulus", "tamper", True),
    "mains": ("stimulus", "mains", True),
    "mains_restore": ("stimulus", "mains", False),
    "battery_low": ("stimulus", "battery", 85),
    "offline": ("offline", None, None),
    "online": ("online", None, None),
    "reboot": ("reboot", None, None),
}


class ScenarioError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Action:
    at: float
    order: int  # keeps the file's order among actions at the same moment
    do: str
    device: str
    value: object = None

    def request(self) -> dict[str, object]:
        cmd, what, default = ACTIONS[self.do]
        req: dict[str, object] = {"cmd": cmd, "device": self.device}
        if what is not None:
            req |= {"what": what, "value": self.value if self.value is not None else default}
        return req


def find(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.exists():
        return path
    named = SCENARIOS / f"{name_or_path}.toml"
    if named.exists():
        return named
    known = ", ".join(sorted(p.stem for p in SCENARIOS.glob("*.toml")))
    raise ScenarioError(f"no scenario {name_or_path!r}: give a file, or one of {known}")


def select(site: Site, sel: dict[str, object], building: str | None = None) -> list[str]:
    """Device ids matching a selector: units, building, entrance, floors [lo, hi], kind."""
    kinds = {"gas": "gas_detector", "btn": "panic_button"}
    kind = kinds.get(str(sel["kind"])) if "kind" in sel else None
    units = set(sel.get("units", []))  # type: ignore[call-overload]
    want_building = building or sel.get("building")
    floors = sel.get("floors")
    out = []
    for d in site.devices.values():
        u = site.units[d.unit]
        if units and d.unit not in units:
            continue
        if want_building is not None and u.building != str(want_building):
            continue
        if "entrance" in sel and u.entrance != sel["entrance"]:
            continue
        if floors is not None and not floors[0] <= u.floor <= floors[1]:  # type: ignore[index]
            continue
        if kind is not None and d.kind != kind:
            continue
        out.append(d.id)
    return sorted(out, key=lambda i: (site.devices[i].unit, i))


def expand(scenario: dict[str, object], site: Site, building: str | None = None
           ) -> list[Action]:
    steps = scenario.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError("a scenario needs [[steps]]")
    actions: list[Action] = []
    for i, step in enumerate(steps):
        do = step.get("do")
        at = float(step.get("at", 0))
        sel = step.get("select") or {}
        if do != "walk" and do not in ACTIONS:
            raise ScenarioError(f"steps[{i}].do: unknown action {do!r}")
        devices = select(site, sel, building)
        if do == "gas":
            devices = [d for d in devices if site.devices[d].kind == "gas_detector"]
        if do in ("press", "reset", "walk"):
            devices = [d for d in devices if site.devices[d].kind == "panic_button"]
        if not devices:
            raise ScenarioError(f"steps[{i}].select: matches no device")
        if do == "walk":
            every = float(step.get("every", 3))
            for n, dev in enumerate(devices):
                actions.append(Action(at + n * every, len(actions), "press", dev))
                actions.append(Action(at + n * every + WALK_RESET_AFTER_S, len(actions),
                                      "reset", dev))
        else:
            actions += [Action(at, len(actions), str(do), dev, step.get("value"))
                        for dev in devices]
    return sorted(actions)


async def play(actions: list[Action], control: Path, speed: float) -> tuple[int, list[str]]:
    """Send each action at its time (divided by `speed`). Returns (done, errors)."""
    start = time.monotonic()
    done, errors = 0, []
    for a in actions:
        delay = start + a.at / speed - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        reply = await send_control(control, a.request())
        if reply is None:
            raise ScenarioError(f"no simulation is running at {control}")
        if reply.get("ok"):
            done += 1
            say(f"t={a.at:6.1f}s  {a.do:<13} {a.device}")
        else:
            errors.append(f"{a.device}: {reply.get('error')}")
    return done, errors


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("scenario", help="play a scenario file against the running simulation")
    p.add_argument("scenario", help="a name in firmware_sim/scenarios/ or a path to a .toml")
    p.add_argument("--speed", type=float, default=1.0, help="time compression (10 = 10x faster)")
    p.add_argument("--building", help="run it on this building instead")
    p.set_defaults(handler=run_cli)


def run_cli(site: Site, args: argparse.Namespace) -> int:
    try:
        path = find(args.scenario)
        scenario = tomllib.loads(path.read_text(encoding="utf-8"))
        actions = expand(scenario, site, args.building)
    except (ScenarioError, tomllib.TOMLDecodeError) as exc:
        say(f"error: {exc}", err=True)
        return 2
    span = actions[-1].at / args.speed
    say(f"scenario {scenario.get('name', path.stem)}: {len(actions)} actions over "
        f"{span:.0f}s")
    try:
        done, errors = asyncio.run(play(actions, args.control, args.speed))
    except ScenarioError as exc:
        say(f"error: {exc}; start one with `python -m firmware_sim run`", err=True)
        return 1
    for e in errors:
        say(f"failed: {e}", err=True)
    say(f"done: {done} of {len(actions)} actions sent")
    return 0 if not errors else 1
