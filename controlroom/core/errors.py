"""The control room's errors: the domain errors every service raises, and the one error
shape of the API they become.

Services raise a `DomainError`; the one handler (`domain_error_handler`, installed by
create_app) turns it into the answer. Each class fixes the HTTP status; `code` is the stable
word a program tells errors apart by (absent on the alarm API's errors, ARCHITECTURE §7):

    DomainError                       (status)  what a person must change
     ├── NotSignedIn                  401       sign in (again)
     ├── Forbidden                    403       the role or the flat may not do this
     ├── NotFound                     404       no such thing (or not yours)
     ├── Conflict                     409       the current state says no
     │    └── TransitionError (alarms.rules, requests.flow): a step the state does not allow
     ├── Gone                         410       it happened already (collected)
     ├── Invalid                      422       a value is wrong: `detail` names the field
     ├── Locked                       429       too many wrong tries: wait `retry_after_s`
     └── Busy                         503       try again

Every error answer is a JSON object with `detail` (a sentence a person can act on). Errors a
program must tell apart also carry `code` (a stable snake_case word) and sometimes more fields,
e.g. `{"detail": "...", "code": "locked", "retry_after_s": 120}` or
`{"detail": "...", "code": "wrong_pin", "attempts_left": 3}`.

    HTTPException (FastAPI)       -> {"detail": str}
    RequestValidationError (422)  -> {"detail": str, "errors": [...]}   (app.py)
    DomainError                   -> {"detail": str, "code": str, **extra} (no code: no "code")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_ID", "Busy", "Conflict", "DomainError", "ErrorBody", "Forbidden", "Gone",
           "Invalid", "Locked", "NotFound", "NotSignedIn", "ValidationErrorBody",
           "domain_error_handler", "problems", "validation_detail"]

# The largest id a path takes: ids are 32-bit on PostgreSQL, and a larger number must be a 422
# (or a 404), never a database overflow.
MAX_ID = 2_147_483_647


class ErrorBody(BaseModel):
    """What every error answer looks like (for the OpenAPI document)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"detail": "no alert 999"},
        {"detail": "wrong PIN: 3 attempts left", "code": "wrong_pin", "attempts_left": 3},
    ]})
    detail: str = Field(description="what went wrong, in words a person can act on")
    code: str | None = Field(default=None, description="a stable snake_case word, for errors "
                                                       "a program must tell apart")


class ValidationErrorBody(ErrorBody):
    """A 422: `detail` names each field and what is wrong with it; `errors` holds pydantic's
    list for programs (absent when the request was well-formed but not acceptable, e.g. an
    unknown device)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"detail": "cause: Input should be 'real', 'false_alarm', 'test', 'device_fault' or "
                   "'other'",
         "errors": [{"type": "literal_error", "loc": ["body", "cause"],
                     "msg": "Input should be 'real', 'false_alarm', 'test', 'device_fault' or "
                            "'other'", "input": "bored"}]},
    ]})
    errors: list[dict[str, Any]] | None = Field(default=None, description="pydantic's errors")


_DESCRIPTIONS = {
    400: "The request cannot be read",
    401: "Not signed in, or the token is invalid or expired",
    403: "The caller's role may not do this",
    404: "No such thing",
    409: "The change contradicts the current state",
    422: "A field is missing or invalid: `detail` says which and why",
    423: "Locked for a while",
    429: "Too many attempts",
}


# What to do, for the pydantic error types whose own message only says what is wrong.
_HINTS = {
    "missing": "send it",
    "extra_forbidden": "not a field of this call: leave it out",
    "json_invalid": "send the body as JSON",
    "model_attributes_type": "send a JSON object",
}


_PLACES = ("body", "query", "path", "header", "cookie")


def validation_detail(errors: Sequence[Any]) -> str:
    """One sentence per invalid field, `field: what is wrong, and what to send`, for a 422."""
    parts = []
    for err in errors:
        # The field's name, without where it came from (body, query, path).
        place = list(err.get("loc", ()))
        if place and place[0] in _PLACES:
            place = place[1:]
        loc = ".".join(str(p) for p in place)
        kind = err.get("type", "")
        if kind == "json_invalid":
            loc = "body"  # pydantic gives the character offset as the place
        msg = err.get("msg", "invalid")
        hint = _HINTS.get(kind)
        parts.append(f"{loc or 'body'}: {msg}" + (f" ({hint})" if hint else ""))
    return "; ".join(parts)


def problems(*codes: int, json_refs: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with the one error shape.

    `json_refs` for a route whose success is not JSON (its response class would otherwise
    give the errors its own media type): the errors then refer to the shapes by name."""
    if json_refs:
        return {code: {"description": _DESCRIPTIONS.get(code, "Error"), "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/" + (
                "ValidationErrorBody" if code == 422 else "ErrorBody")}}}} for code in codes}
    return {code: {"model": ValidationErrorBody if code == 422 else ErrorBody,
                   "description": _DESCRIPTIONS.get(code, "Error")} for code in codes}


class DomainError(Exception):
    """A refusal a person can act on. `detail` is the sentence shown; `code` (the class's, or
    given) and `extra` fields go into the answer too; `headers` (e.g. Retry-After) as well."""

    status = 400
    code: str | None = None

    def __init__(self, detail: str, *, code: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code
        self.headers = headers
        self.extra = extra

    def public_detail(self) -> str:
        """The answer's `detail`: the message, unless a class says more."""
        return str(self)


class NotSignedIn(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Gone(DomainError):
    status = 410


class Invalid(DomainError):
    status = 422


class Locked(DomainError):
    status = 429


class Busy(DomainError):
    status = 503


async def domain_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """The one mapping of domain errors to the error shape."""
    assert isinstance(exc, DomainError)
    content: dict[str, Any] = {"detail": exc.public_detail()}
    if exc.code is not None:
        content["code"] = exc.code
    return JSONResponse(status_code=exc.status, headers=exc.headers,
                        content=content | exc.extra)
