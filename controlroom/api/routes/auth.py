from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from controlroom.errors import problems
from controlroom.schemas import Token
from controlroom.security import issue_token
from controlroom.staff import authenticate

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token", response_model=Token, responses=problems(401, 422))
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    state = request.app.state
    user = authenticate(state.sessions, state.passwords, form.username, form.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    token = issue_token(request.app.state.token_key, user.username, user.role,
                        request.app.state.site.token_minutes)
    staff = request.app.state.site.staff.get(user.username)
    return Token(access_token=token, role=user.role, name=user.name,
                 butler_for=list(staff.butler_for) if staff else [])
