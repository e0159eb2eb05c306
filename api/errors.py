"""Every error as JSON ``{"detail": "..."}`` with a 4xx status; 5xx only for the server's faults.

=================================  ======  ======================================
error                              status  when
=================================  ======  ======================================
UnknownTermError                   404     unknown work, batch, graph, ...
QuerySyntaxError                   400     the parser's message, line and column
UnsafeQueryError                   400     SERVICE, LOAD, unknown dataset graphs
ResultTooLargeError                400     past the row or byte cap of an answer
InputError                         400     unreadable upload, bad charset, ...
ValidationError                    422     an import rejected by violations
ConflictingStateError              409     a retract that other batches depend on
NotAcceptableError                 406     no format the client accepts
QueryTimeoutError, PoolBusyError   503     past the time limit (``Retry-After``)
StoreError                         503     the store cannot be read or written
request validation                 422     a missing or malformed parameter
=================================  ======  ======================================

>>> status_of(UnknownTermError("unknown work 'W9'"))
404
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cams_graph.errors import (
    CamsError,
    ConflictingStateError,
    InputError,
    NotAcceptableError,
    PoolBusyError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
    UnknownTermError,
    UnsafeQueryError,
    ValidationError,
)

__all__ = ["error_response", "install_error_handlers", "status_of"]

log = logging.getLogger("cams_graph.api")

_STATUS: list[tuple[type[CamsError], int]] = [
    (UnknownTermError, 404),
    (QuerySyntaxError, 400),
    (UnsafeQueryError, 400),
    (ResultTooLargeError, 400),
    (InputError, 400),
    (ValidationError, 422),
    (ConflictingStateError, 409),
    (NotAcceptableError, 406),
    (QueryTimeoutError, 503),
    (PoolBusyError, 503),
    (StoreError, 503),
]


def status_of(error: CamsError) -> int:
    """The HTTP status of a cams-graph error."""
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def _cams_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CamsError)
    status = status_of(error)
    headers = {"Retry-After": "5"} if status == 503 else None
    content: dict[str, object] = {"detail": str(error)}
    if isinstance(error, QuerySyntaxError) and error.line is not None:
        content.update(line=error.line, column=error.column)
    return JSONResponse(content, status_code=status, headers=headers)


def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    messages = []
    for item in error.errors():
        where = " ".join(str(p) for p in item.get("loc", ()) if p != "body")
        messages.append(f"{where}: {item.get('msg', 'invalid')}".strip(": "))
    return JSONResponse(
        {"detail": "; ".join(messages) or "invalid request", "errors": error.errors()},
        status_code=422,
    )


def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return JSONResponse(
        {"detail": error.detail}, status_code=error.status_code, headers=error.headers
    )


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": f"internal error ({type(error).__name__}); it has been logged"},
        status_code=500,
    )


def error_response(request: Request, error: Exception) -> JSONResponse:
    """The response the handlers installed by :func:`install_error_handlers` give for
    ``error`` (for code that answers outside FastAPI's routing)."""
    if isinstance(error, CamsError):
        return _cams_error(request, error)
    if isinstance(error, RequestValidationError):
        return _validation_error(request, error)
    if isinstance(error, StarletteHTTPException):
        return _http_error(request, error)
    return _unexpected(request, error)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(CamsError, _cams_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
