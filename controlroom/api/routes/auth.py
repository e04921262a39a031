from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from controlroom.core.accounts import (
    LOGIN_FAILURES,
    account_exists,
    audit_login,
    authenticate,
)
from controlroom.core.errors import DomainError, Locked, NotSignedIn, problems
from controlroom.core.schemas import Token
from controlroom.core.security import issue_token
from controlroom.core.shared_lockout import SharedLockout

router = APIRouter(prefix="/api/auth", tags=["auth"])

UNKNOWN_ACCOUNT = "(no such account)"  # guesses at names that do not exist share one count


def client_address(request: Request) -> str:
    """The address the connection came from, as the server saw it. X-Forwarded-For is not read
    here: the server rewrites the address from it only for proxies it was told to trust
    (BUTLER_TRUSTED_PROXIES, docs/decisions.md)."""
    return request.client.host if request.client else "(unknown)"


def _locked(retry_after_s: float) -> DomainError:
    secs = max(1, math.ceil(retry_after_s))
    return Locked(f"too many wrong passwords for this account from this address: try again "
                  f"in {secs} s, or ask an administrator", code="locked",
                  headers={"Retry-After": str(secs)}, retry_after_s=secs)


@router.post("/token", response_model=Token, responses=problems(401, 422, 429))
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Sign in. After 10 wrong passwords for an account from one address within 15 minutes,
    that account is refused from that address for 15 minutes (429 `code: locked`, with
    `Retry-After`); other addresses are not affected, and a right password clears the count."""
    state = request.app.state
    address = client_address(request)
    known = account_exists(state.sessions, form.username)
    key = ("login", address, form.username if known else UNKNOWN_ACCOUNT)
    lockout: SharedLockout = state.login_lockout
    now = state.alerts.now().timestamp()
    before = lockout.check(key, now)
    if before.locked:
        audit_login(state.sessions, form.username, "login_locked", f"from {address}")
        raise _locked(before.retry_after_s)
    user = authenticate(state.sessions, state.passwords, form.username, form.password,
                        source=f"from {address}")
    if user is None:
        after = lockout.fail(key, now)
        if after.locked:
            audit_login(state.sessions, form.username, "login_locked",
                        f"from {address}: {LOGIN_FAILURES} wrong passwords")
            raise _locked(after.retry_after_s)
        raise NotSignedIn("wrong username or password", headers={"WWW-Authenticate": "Bearer"})
    lockout.succeed(key)
    token = issue_token(request.app.state.token_key, user.username, user.role,
                        request.app.state.site.token_minutes, version=user.session_version)
    staff = request.app.state.site.staff.get(user.username)
    return Token(access_token=token, role=user.role, name=user.name,
                 butler_for=list(staff.butler_for) if staff else [])
