"""Service-to-service authentication: `Authorization: Bearer <SERVICE_TOKEN>`.

The bot's action server (and other internal services) present the shared token. With no
token configured the API refuses everything (503) instead of being open.
"""
from __future__ import annotations

import hmac
import logging

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

logger = logging.getLogger(__name__)

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ServiceToken",
    description="The shared SERVICE_TOKEN of the app, sent as `Authorization: Bearer <token>`.",
)

NOT_CONFIGURED = "service token not configured"
INVALID = "missing or invalid service token"


def require_service_token(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> None:
    expected: str = request.app.state.settings.service_token
    if not expected:
        logger.error("referral API refused a request: SERVICE_TOKEN is not configured")
        raise HTTPException(status_code=503, detail=NOT_CONFIGURED)
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail=INVALID, headers={"WWW-Authenticate": "Bearer"})
