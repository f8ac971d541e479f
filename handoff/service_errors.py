"""Errors raised by the referral services, and their HTTP form for the routers."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError


class ServiceError(Exception):
    """Base of the errors a service function raises for its caller to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """The request is valid but clashes with the current state (invalid transition, duplicate, ...)."""


class InvalidInput(ServiceError):
    """Field-level problems found by a service (checks spanning several fields, required reasons, ...)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


@contextmanager
def http_errors(*, location: str = "body") -> Iterator[None]:
    """Turn service errors into 404 / 409 / 422 responses with the app's uniform error body."""
    try:
        yield
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    except Conflict as exc:
        raise HTTPException(status_code=409, detail=exc.message) from exc
    except InvalidInput as exc:
        raise RequestValidationError(
            [{"loc": (location, field), "msg": message, "type": "value_error"} for field, message in exc.errors]
        ) from exc
