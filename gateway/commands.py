"""Commands from the console (issue 17), relayed: fetch what the control room has for the
devices, publish each on the device's `cmd` topic (ARCHITECTURE §4), tell the control room it
went out, and hand it the device's `ack` when it comes.

Everything in flight is kept in the outbox's key/value store (`commands`), written before each
step is taken, so a gateway killed with a command pending still knows it after a restart and
records the device's answer (the broker keeps the `ack` for the gateway's persistent session).
An answer to a console command (`c-...`) this gateway does not know (another replica sent it)
is handed on as well: the control room checks that it came from the device it was sent to.
Delivery to the device is at least once: a gateway killed between publishing and writing that
it did publishes again (valve_open and silence are idempotent; a reboot may happen twice).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from gateway.controlroom_client import Rejected, Unreachable

log = logging.getLogger("gateway.commands")
KEY = "commands"
FORGET_AFTER_S = 3600.0  # a command the device never answered is dropped after this


class Store(Protocol):
    def save(self, key: str, value: object) -> None: ...

    def load(self, key: str, default: object = None) -> object: ...


class Client(Protocol):
    def get_commands(self) -> dict[str, Any]: ...

    def post_command_sent(self, command_id: str) -> dict[str, object]: ...

    def post_command_answer(self, command_id: str, body: dict[str, object]
                            ) -> dict[str, object]: ...


class CommandRelay:
    def __init__(self, client: Client, publish: Callable[[str, bytes], None], store: Store,
                 clock: Callable[[], float] = time.time) -> None:
        self.client, self.publish, self.store, self.clock = client, publish, store, clock
        self._lock = threading.Lock()
        loaded = store.load(KEY, {})
        self.pending: dict[str, dict[str, Any]] = loaded if isinstance(loaded, dict) else {}
        self.on_test: frozenset[str] = frozenset()

    def _save(self) -> None:
        self.store.save(KEY, self.pending)

    def on_ack(self, device: str, payload: bytes) -> bool:
        """A device's `ack`: True if it answers a console command (kept until delivered)."""
        try:
            body = json.loads(payload)
            cid, ok = str(body["id"]), body["ok"]
        except (ValueError, KeyError, TypeError, RecursionError):
            return False
        if not cid.startswith("c-") or not isinstance(ok, bool):
            return False
        error = body.get("error")
        with self._lock:
            entry = self.pending.setdefault(cid, {"device": device, "cmd": None,
                                                  "published": True, "at": self.clock()})
            entry["answer"] = {"device": device, "ok": ok,
                               "error": None if error is None else str(error)[:500]}
            self._save()
        log.info("%s answered %s: %s", device, cid, "ok" if ok else f"failed ({error})")
        return True

    def poll(self, topic_of: Callable[[str], str]) -> None:
        """One round: answers to the control room, new commands fetched and published."""
        self._deliver_answers()
        try:
            fetched = self.client.get_commands()
        except (Unreachable, Rejected) as exc:
            log.info("commands not fetched (%s)", exc)
            return
        on_test = frozenset(str(d) for d in fetched.get("on_test", []))
        if on_test != self.on_test:
            log.warning("devices on test: %d (their gas alarms close no valve)", len(on_test))
            self.on_test = on_test
        with self._lock:
            for c in fetched.get("commands", []):
                if c["id"] not in self.pending:
                    self.pending[c["id"]] = {"device": c["device"], "cmd": c["cmd"],
                                             "published": False, "at": self.clock()}
            self._save()
            todo = [(cid, e) for cid, e in self.pending.items() if not e["published"]]
        for cid, e in todo:
            body = {"id": cid, "cmd": e["cmd"], "ts": int(self.clock() * 1000)}
            log.warning("console command %s %s to %s", cid, e["cmd"], e["device"])
            self.publish(topic_of(e["device"]), json.dumps(body).encode())
            with self._lock:
                e["published"] = True
                self._save()
            try:
                self.client.post_command_sent(cid)
            except (Unreachable, Rejected) as exc:
                log.info("%s: not reported as sent (%s)", cid, exc)
        self._forget_old()

    def _deliver_answers(self) -> None:
        with self._lock:
            answered = [(cid, dict(e["answer"])) for cid, e in self.pending.items()
                        if e.get("answer")]
        for cid, answer in answered:
            try:
                self.client.post_command_answer(cid, answer)
            except Unreachable as exc:
                log.info("%s: answer not delivered yet (%s)", cid, exc)
                continue
            except Rejected as exc:
                log.warning("%s: answer refused by the control room: %s", cid, exc)
            with self._lock:
                self.pending.pop(cid, None)
                self._save()

    def _forget_old(self) -> None:
        now = self.clock()
        with self._lock:
            old = [cid for cid, e in self.pending.items()
                   if not e.get("answer") and now - float(e["at"]) > FORGET_AFTER_S]
            for cid in old:
                del self.pending[cid]
            if old:
                self._save()
