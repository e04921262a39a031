"""The gateway's relay of console commands (gateway/commands.py), with a stand-in for the
control room and the outbox's key/value store: kept across a restart, answers handed on
until the control room has them."""

from __future__ import annotations

import json
from typing import Any

from gateway.commands import CommandRelay
from gateway.controlroom_client import Unreachable


class Store:
    def __init__(self) -> None:
        self.kv: dict[str, str] = {}

    def save(self, key: str, value: object) -> None:
        self.kv[key] = json.dumps(value)

    def load(self, key: str, default: object = None) -> object:
        return json.loads(self.kv[key]) if key in self.kv else default


class Room:
    def __init__(self, commands: list[dict[str, Any]]) -> None:
        self.commands, self.sent, self.answers = commands, [], []  # type: ignore[var-annotated]
        self.down = False
        self.on_test: list[str] = []

    def get_commands(self) -> dict[str, Any]:
        if self.down:
            raise Unreachable("down")
        todo = [c for c in self.commands if c["id"] not in self.sent]
        return {"commands": todo, "on_test": self.on_test}

    def post_command_sent(self, command_id: str) -> dict[str, object]:
        self.sent.append(command_id)
        return {}

    def post_command_answer(self, command_id: str, body: dict[str, object]
                            ) -> dict[str, object]:
        if self.down:
            raise Unreachable("down")
        self.answers.append((command_id, body))
        return {}


def topic(dev: str) -> str:
    return f"estate/v1/s/{dev}/cmd"


def test_a_command_survives_a_restart_and_its_late_answer_is_handed_on() -> None:
    store, room = Store(), Room([{"id": "c-1", "device": "gas-1", "cmd": "valve_open"}])
    published: list[tuple[str, bytes]] = []
    relay = CommandRelay(room, lambda t, b: published.append((t, b)), store, clock=lambda: 100.0)
    relay.poll(topic)
    assert [(t, json.loads(b)["cmd"]) for t, b in published] == [(topic("gas-1"), "valve_open")]
    assert room.sent == ["c-1"]
    relay.poll(topic)
    assert len(published) == 1  # not again
    # the gateway dies; a new one starts on the same store, and the ack arrives
    again = CommandRelay(room, lambda t, b: published.append((t, b)), store, clock=lambda: 200.0)
    assert "c-1" in again.pending
    room.down = True
    assert again.on_ack("gas-1", b'{"id": "c-1", "ok": true, "seq": 3, "boot": 1, "ts": 1}')
    again.poll(topic)  # the control room is down: the answer is kept
    assert room.answers == [] and again.pending["c-1"]["answer"]["ok"] is True
    third = CommandRelay(room, lambda t, b: published.append((t, b)), store, clock=lambda: 300.0)
    room.down = False
    third.poll(topic)
    assert room.answers == [("c-1", {"device": "gas-1", "ok": True, "error": None})]
    assert third.pending == {} and len(published) == 1


def test_acks_that_are_not_console_commands_are_left_to_the_valves() -> None:
    relay = CommandRelay(Room([]), lambda t, b: None, Store())
    assert not relay.on_ack("gas-1", b'{"id": "vc-gas-1-5", "ok": true}')
    assert not relay.on_ack("gas-1", b"not json")
    assert not relay.on_ack("gas-1", b'{"id": "c-2", "ok": "yes"}')
    room = Room([])
    room.on_test = ["gas-9"]
    r = CommandRelay(room, lambda t, b: None, Store())
    r.poll(topic)
    assert r.on_test == frozenset({"gas-9"})
