"""Device commands (issue 17, ARCHITECTURE §4 `cmd`/`ack`): the console asks
(`POST /api/devices/{device}/commands`), the gateway fetches what to publish and reports that
it did and what the device answered (`/api/gateway/commands...`), along with which devices are
on test now (so that it does not close their valves)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from controlroom.alarms.command_rules import DEFAULT_TIMEOUT_S
from controlroom.alarms.commands import CommandService
from controlroom.alarms.test_mode import covers, is_active
from controlroom.api.deps import READ_ALERTS, GatewayCaller, require
from controlroom.core.errors import problems
from controlroom.core.security import TokenClaims

COMMANDERS = ("operator", "supervisor", "maintenance", "admin")
Commander = Annotated[TokenClaims, Depends(require(*COMMANDERS))]
Reader = Annotated[TokenClaims, Depends(require(*READ_ALERTS))]


def _service(request: Request) -> CommandService:
    state = request.app.state
    svc = getattr(state, "commands", None)
    if svc is None:
        svc = state.commands = CommandService(state.sessions, state.site, state.alerts,
                                              state.clock)
    return svc  # type: ignore[no-any-return]


CommandsDep = Annotated[CommandService, Depends(_service)]


class CommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cmd: str = Field(description="valve_open, silence, self_test or reboot")
    confirm: bool = Field(default=False, description="valve_open: the person confirmed")
    note: str = Field(default="", max_length=500)
    timeout_s: int = Field(default=DEFAULT_TIMEOUT_S, ge=2, le=600,
                           description="no answer by then: `no_answer`")


class CommandOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    device: str
    cmd: str
    alert_id: int | None
    requested_by: str
    requested_at: datetime
    timeout_s: int
    state: str = Field(description="requested, sent, ok, failed or no_answer")
    sent_at: datetime | None
    answered_at: datetime | None
    error: str | None
    note: str


class CommandsOut(BaseModel):
    data: list[CommandOut]


class GatewayCommandsOut(BaseModel):
    commands: list[CommandOut]
    on_test: list[str] = Field(description="devices on test now: no automatic valve close")


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str
    ok: bool
    error: str | None = Field(default=None, max_length=500)


router = APIRouter(tags=["commands"], responses=problems(401, 403, 404, 409, 422))


@router.post("/api/devices/{device}/commands", response_model=CommandOut, status_code=201)
def post_command(device: str, body: CommandIn, svc: CommandsDep, who: Commander) -> CommandOut:
    c = svc.request(device, body.cmd, who.username, who.role, confirm=body.confirm,
                    note=body.note, timeout_s=body.timeout_s)
    return CommandOut.model_validate(c)


@router.get("/api/devices/{device}/commands", response_model=CommandsOut)
def read_device_commands(device: str, svc: CommandsDep, _: Reader) -> CommandsOut:
    return CommandsOut(data=[CommandOut.model_validate(c) for c in svc.list(device)])


@router.get("/api/commands/{command_id}", response_model=CommandOut)
def read_command(command_id: str, svc: CommandsDep, _: Reader) -> CommandOut:
    return CommandOut.model_validate(svc.get(command_id))


@router.get("/api/gateway/commands", response_model=GatewayCommandsOut)
def gateway_commands(request: Request, svc: CommandsDep, _: GatewayCaller
                     ) -> GatewayCommandsOut:
    state = request.app.state
    now = state.clock()
    windows = [w for w in state.test_mode.list(active_only=False) if is_active(w, now)]
    on_test = sorted(d.id for d in state.site.devices.values()
                     if any(covers(w.scope, w.target, d) for w in windows))
    return GatewayCommandsOut(commands=[CommandOut.model_validate(c) for c in svc.to_send()],
                              on_test=on_test)


@router.post("/api/gateway/commands/{command_id}/sent", response_model=CommandOut)
def gateway_sent(command_id: str, svc: CommandsDep, who: GatewayCaller) -> CommandOut:
    return CommandOut.model_validate(svc.sent(command_id, who.username))


@router.post("/api/gateway/commands/{command_id}/answer", response_model=CommandOut)
def gateway_answer(command_id: str, body: AnswerIn, svc: CommandsDep, who: GatewayCaller
                   ) -> CommandOut:
    return CommandOut.model_validate(svc.answer(command_id, body.device, body.ok, body.error,
                                                who.username))
