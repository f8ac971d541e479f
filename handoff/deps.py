"""FastAPI dependencies shared by the API routers (overridable in tests)."""
from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from .notifications.base import Notifier


def get_session(request: Request) -> Iterator[Session]:
    """One session per request from the app's session factory."""
    with request.app.state.session_factory() as session:
        yield session


def get_notifier(request: Request) -> Notifier:
    return request.app.state.notifier
