"""Parsing query strings and form fields of the admin pages, leniently and without JSON errors."""
from __future__ import annotations

import math
from datetime import date
from urllib.parse import urlencode

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, QueryParams

from ...deps import get_session
from ...service_errors import InvalidInput


async def form_data(request: Request) -> FormData:
    """Dependency: the posted form, read on the event loop so the endpoint itself can be a plain
    (thread-pool) function that talks to the database and hashes passwords without blocking."""
    return await request.form()


# Shorthands for endpoint signatures.
Form = Annotated[FormData, Depends(form_data)]
DbSession = Annotated[Session, Depends(get_session)]


def text(params: QueryParams | FormData, name: str, *, max_length: int = 200) -> str:
    value = params.get(name)
    if not isinstance(value, str):
        return ""
    # Nobody types a NUL character and PostgreSQL cannot store or compare text containing one.
    return value.replace("\x00", "").strip()[:max_length]


def choice(params: QueryParams | FormData, name: str, allowed: set[str] | list[str] | tuple[str, ...]) -> str | None:
    value = text(params, name)
    return value if value in allowed else None


def integer(params: QueryParams | FormData, name: str, *, minimum: int = 1, maximum: int = 10**9) -> int | None:
    value = text(params, name, max_length=12)
    if not value.isdigit():
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def day(params: QueryParams | FormData, name: str) -> date | None:
    value = text(params, name, max_length=10)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def checkbox(params: FormData, name: str) -> bool:
    return params.get(name) in ("on", "true", "1", "yes")


def query_string(values: dict, **overrides) -> str:
    merged = {**values, **overrides}
    clean = {k: v for k, v in merged.items() if v not in (None, "", False)}
    return urlencode(clean, doseq=True)


def pages(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def errors_by_field(exc: InvalidInput) -> dict[str, str]:
    found: dict[str, str] = {}
    for field, message in exc.errors:
        found.setdefault(field, message)
    return found


def pydantic_errors(exc) -> dict[str, str]:
    """{field: message} from a pydantic ValidationError (first message per field)."""
    found: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
        field = loc[0] if loc else "form"
        message = error.get("msg", "Invalid value")
        for prefix in ("Value error, ", "value is not a valid email address: "):
            if message.startswith(prefix):
                message = message[len(prefix):] if prefix.startswith("Value") else "Enter a valid email address."
        found.setdefault(field, message)
    return found
