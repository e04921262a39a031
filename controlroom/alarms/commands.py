"""Device commands from the console (issue 17): requested by a person (checked by
command_rules), picked up and published by the gateway, answered by the device's `ack`
(ARCHITECTURE §4). Each step is audited and, when the command is about an alert (a valve
reopened after a gas alarm), written into that alert's history, so the history shows who
asked, when, and what the device answered (or that it did not)."""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Site
from controlroom.alarms import command_rules as rules
from controlroom.alarms.models import Alert, AlertHistory, DeviceCommand
from controlroom.alarms.service import AlertService
from controlroom.core import errors
from controlroom.core.audit import audit

WORDS = {"ok": "confirmed", "failed": "refused", "no_answer": "no answer"}


class CommandRefused(errors.DomainError):
    pass


class CommandService:
    def __init__(self, sessions: sessionmaker, site: Site, alerts: AlertService,
                 now: Callable[[], datetime]) -> None:
        self.sessions, self.site, self.alerts, self.now = sessions, site, alerts, now

    # -- the console ---------------------------------------------------------------------------

    def request(self, device: str, cmd: str, actor: str, role: str, *, confirm: bool = False,
                note: str = "", timeout_s: int = rules.DEFAULT_TIMEOUT_S) -> DeviceCommand:
        dev = self.site.devices.get(device)
        if dev is None:
            raise errors.NotFound(f"no device {device!r}")
        now = self.now()
        with self.sessions() as s:
            gas = self._gas_alarms(s, device)
            refusal = rules.check(cmd, role, dev.kind, gas, confirm)
            if refusal is not None:
                exc = CommandRefused(refusal.detail, code=refusal.code)
                exc.status = refusal.status
                raise exc
            alert_id = gas.last_resolved_id if cmd == "valve_open" else None
            c = DeviceCommand(id=f"c-{secrets.token_hex(6)}", device=device, cmd=cmd,
                              alert_id=alert_id, requested_by=actor, requested_at=now,
                              timeout_s=timeout_s, state="requested", note=note)
            s.add(c)
            text = f"{cmd} sent to {device} by {actor}" + (f": {note}" if note else "")
            audit(s, now, actor, f"device.{cmd}", f"device:{device}", f"{c.id} {text}")
            self._history(s, c, actor, "command", text, now)
            s.commit()
            s.refresh(c)
        self._announce(c)
        return c

    def list(self, device: str | None = None, limit: int = 50) -> builtins.list[DeviceCommand]:
        self.expire()
        q = select(DeviceCommand).order_by(DeviceCommand.requested_at.desc()).limit(limit)
        if device is not None:
            q = q.where(DeviceCommand.device == device)
        with self.sessions() as s:
            return list(s.scalars(q).all())

    def get(self, command_id: str) -> DeviceCommand:
        self.expire()
        with self.sessions() as s:
            c = s.get(DeviceCommand, command_id)
            if c is None:
                raise errors.NotFound(f"no command {command_id!r}")
            return c

    # -- the gateway ---------------------------------------------------------------------------

    def to_send(self) -> builtins.list[DeviceCommand]:
        """Commands not yet published, still within their timeout."""
        self.expire()
        with self.sessions() as s:
            return list(s.scalars(select(DeviceCommand).where(
                DeviceCommand.state == "requested").order_by(DeviceCommand.requested_at)))

    def sent(self, command_id: str, actor: str) -> DeviceCommand:
        now = self.now()
        with self.sessions() as s:
            c = self._locked(s, command_id)
            if c.state == "requested":
                c.state, c.sent_at = "sent", now
                audit(s, now, actor, "device.command_sent", f"device:{c.device}", c.id)
            s.commit()
            s.refresh(c)
            return c

    def answer(self, command_id: str, device: str, ok: bool, error: str | None, actor: str
               ) -> DeviceCommand:
        """The device's `ack`. An answer after the timeout is still recorded (a gateway
        restarted meanwhile delivers it late): the history says it came late."""
        now = self.now()
        with self.sessions() as s:
            c = self._locked(s, command_id)
            if c.device != device:
                raise errors.Invalid(f"{command_id} was sent to {c.device}, not {device}")
            if c.state in ("ok", "failed"):
                return c  # a repeated ack
            late = c.state == "no_answer"
            c.state, c.answered_at = ("ok" if ok else "failed"), now
            c.error = None if ok else (error or "no reason given")
            text = (f"{c.device} answered {c.cmd}: {WORDS[c.state]}"
                    + (f" ({c.error})" if c.error else "") + (" — late" if late else ""))
            audit(s, now, actor, "device.command_answer", f"device:{c.device}",
                  f"{c.id} {text}")
            self._history(s, c, c.device, "command_answer", text, now)
            s.commit()
            s.refresh(c)
        self._announce(c)
        return c

    def expire(self) -> int:
        """Mark commands past their timeout `no_answer` (and say so in the history)."""
        now = self.now()
        changed: builtins.list[DeviceCommand] = []
        with self.sessions() as s:
            for c in s.scalars(select(DeviceCommand).where(
                    DeviceCommand.state.in_(("requested", "sent")))).all():
                if rules.state_now(c.state, c.requested_at.timestamp(), c.timeout_s,
                                   now.timestamp()) == "no_answer":
                    c.state = "no_answer"
                    text = f"{c.device} gave no answer to {c.cmd} within {c.timeout_s} s"
                    audit(s, now, "system", "device.command_no_answer", f"device:{c.device}",
                          f"{c.id} {text}")
                    self._history(s, c, "system", "command_answer", text, now)
                    changed.append(c)
            s.commit()
        for c in changed:
            self._announce(c)
        return len(changed)

    # -- parts -------------------------------------------------------------------------------

    def _gas_alarms(self, s: Session, device: str) -> rules.GasAlarms:
        rows = s.execute(select(Alert.id, Alert.state).where(
            Alert.device == device, Alert.kind == "gas_alarm", Alert.test.is_(False))
            .order_by(Alert.id.desc()).limit(20)).all()
        open_ = any(state != "resolved" for _, state in rows)
        last = next((aid for aid, state in rows if state == "resolved"), None)
        return rules.GasAlarms(open_, last)

    def _locked(self, s: Session, command_id: str) -> DeviceCommand:
        c = s.get(DeviceCommand, command_id, with_for_update=True)
        if c is None:
            raise errors.NotFound(f"no command {command_id!r}")
        return c

    def _history(self, s: Session, c: DeviceCommand, actor: str, action: str, text: str,
                 now: datetime) -> None:
        if c.alert_id is not None:
            s.add(AlertHistory(alert_id=c.alert_id, at=now, actor=actor[:64], action=action,
                               note=f"{text} [{c.id}]"))

    def _announce(self, c: DeviceCommand) -> None:
        if c.alert_id is not None:
            self.alerts.announce([c.alert_id])
