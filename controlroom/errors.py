"""The one error shape of the control room API, and the exception that carries it.

Every error answer is a JSON object with `detail` (a sentence a person can act on). Errors a
program must tell apart also carry `code` (a stable snake_case word) and sometimes more fields,
e.g. `{"detail": "...", "code": "locked", "retry_after_s": 120}` or
`{"detail": "...", "code": "wrong_pin", "attempts_left": 3}`.

    HTTPException (FastAPI)       -> {"detail": str}
    RequestValidationError (422)  -> {"detail": str, "errors": [...]}   (app.py)
    ApiProblem                    -> {"detail": str, "code": str, **extra}
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

__all__ = ["ApiProblem", "ErrorBody", "api_problem_handler"]


class ErrorBody(BaseModel):
    """What every error answer looks like (for the OpenAPI document)."""

    model_config = ConfigDict(extra="allow")
    detail: str
    code: str | None = None


class ApiProblem(Exception):
    def __init__(self, status: int, code: str, detail: str,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.extra = extra


async def api_problem_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return JSONResponse(status_code=exc.status, headers=exc.headers,
                        content={"detail": exc.detail, "code": exc.code, **exc.extra})
