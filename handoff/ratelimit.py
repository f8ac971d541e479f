"""Rate limits of the public API: POST /api/chat (per client address and per conversation) and
POST /api/triage (per client address), at `settings.chat_rate_limit` (e.g. "60/minute").

Over the limit the API answers 429 with `{"detail": "..."}` and a Retry-After header (seconds).
Counting uses slowapi's limiter (the `limits` package, moving window) in this process's memory:
with several worker processes each one counts on its own, so the effective limit is N times the
setting (point `storage_uri` at Redis to share the counters). Behind a reverse proxy run uvicorn
with --proxy-headers (and --forwarded-allow-ips) so the client address is the person's, not the
proxy's. Admin sign-in has its own limiter (handoff.admin.security.LoginRateLimiter).
"""
from __future__ import annotations

import math
import time

from fastapi import FastAPI, HTTPException, Request
from limits import RateLimitItem, parse
from slowapi import Limiter
from slowapi.util import get_remote_address

TOO_MANY = "Too many requests. Please wait {seconds} seconds and try again."


def parse_rate(value: str) -> RateLimitItem:
    """'60/minute', '10 per second', '1000/hour'; ValueError for anything else."""
    try:
        return parse(value)
    except ValueError as exc:
        raise ValueError(f"not a rate limit like '60/minute': {value!r}") from exc


class ApiRateLimiter:
    def __init__(self, rate: str, *, storage_uri: str = "memory://"):
        self.rate = parse_rate(rate)
        self._limiter = Limiter(key_func=get_remote_address, storage_uri=storage_uri, strategy="moving-window")

    @property
    def _strategy(self):
        return self._limiter.limiter

    def hit(self, scope: str, key: str) -> None:
        """Count one request of `key` (a client address, a sender) under `scope`; 429 when over the limit."""
        if self._strategy.hit(self.rate, scope, key):
            return
        reset, _remaining = self._strategy.get_window_stats(self.rate, scope, key)
        seconds = max(1, math.ceil(reset - time.time()))
        raise HTTPException(status_code=429, detail=TOO_MANY.format(seconds=seconds), headers={"Retry-After": str(seconds)})

    def reset(self) -> None:
        self._limiter.reset()


def api_limiter(app: FastAPI) -> ApiRateLimiter:
    """The app's limiter, made on first use from app.state.settings (called from async code only,
    so there is no race in creating it)."""
    limiter = getattr(app.state, "api_limiter", None)
    if limiter is None:
        limiter = app.state.api_limiter = ApiRateLimiter(app.state.settings.chat_rate_limit)
    return limiter


def client_address(request: Request) -> str:
    return get_remote_address(request) or "unknown"


async def limit_client(request: Request) -> None:
    """Dependency: one request per client address and endpoint (counted before the body is validated,
    so a flood of malformed requests is limited too)."""
    api_limiter(request.app).hit(f"api:{request.url.path}:client", client_address(request))


async def limit_sender(request: Request, sender: str) -> None:
    """One message of a conversation: a person's conversation stays within the limit from any address."""
    api_limiter(request.app).hit("api:chat:sender", sender)


RATE_LIMITED = {429: {"description": "Too many requests (see Retry-After)"}}
