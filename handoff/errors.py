"""Uniform, readable error bodies: never a stack trace, always the field and what is wrong."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "The database is temporarily unavailable. Please try again in a minute."
DATABASE_RETRY_AFTER_SECONDS = 30


def _field(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_errors(exc: RequestValidationError) -> list[dict]:
    errors = []
    for error in exc.errors():
        message = error.get("msg", "invalid value")
        if error.get("type") == "json_invalid":
            message = "request body is not valid JSON"
        errors.append({"field": _field(error.get("loc", ())), "message": message})
    return errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(status_code=422, content={"detail": f"Invalid request: {summary}", "errors": errors})

    # The database is down, locked or out of connections: a temporary condition, so 503 with
    # Retry-After (clients such as the action server's lead outbox retry), never a 500.
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        logger.error("database unavailable on %s %s (%s)", request.method, request.url.path, type(exc).__name__)
        return JSONResponse(
            status_code=503,
            content={"detail": DATABASE_UNAVAILABLE},
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    for exc_class in (OperationalError, DisconnectionError, PoolTimeout):
        app.add_exception_handler(exc_class, _database_unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "Internal error. The team has been notified."})
