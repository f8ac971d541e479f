"""HTTP hardening of /admin: security headers, sign-in rate limiting, query strings kept out of access logs."""
from __future__ import annotations

import logging
import time

from limits import parse
from slowapi import Limiter
from slowapi.util import get_remote_address
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ADMIN_PREFIX = "/admin"

# No inline scripts anywhere in the admin (XSS defence in depth). Inline style attributes are
# allowed for simple charts; they cannot run code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


class AdminSecurityHeaders:
    """Adds the security headers to every /admin response; pages (not static files) are never cached,
    since they show people's personal data."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        static = path.startswith(ADMIN_PREFIX + "/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers[name] = value
                # Pages show people's personal data: never cached. Static files: revalidated (ETag).
                headers["Cache-Control"] = "no-cache" if static else "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoginRateLimiter:
    """Limits sign-in attempts (settings.login_rate_limit, e.g. "10/minute"): every attempt per client
    address, and failed attempts per account (so a distributed guesser cannot focus on one account).

    The counters live in this process's memory (slowapi's default storage): with several worker
    processes each one counts on its own.
    """

    def __init__(self, rate: str):
        self.rate = parse(rate)
        self._limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", strategy="moving-window")

    @property
    def _strategy(self):
        return self._limiter.limiter

    def client_key(self, request: Request) -> str:
        return get_remote_address(request) or "unknown"

    def hit_client(self, request: Request) -> bool:
        """Count one attempt from the client; False when over the limit."""
        return self._strategy.hit(self.rate, "admin-login-ip", self.client_key(request))

    def account_allowed(self, email: str) -> bool:
        return self._strategy.test(self.rate, "admin-login-account", email)

    def account_failed(self, email: str) -> None:
        self._strategy.hit(self.rate, "admin-login-account", email)

    def retry_after(self, request: Request) -> int:
        reset, _remaining = self._strategy.get_window_stats(self.rate, "admin-login-ip", self.client_key(request))
        return max(1, int(reset - time.time()) + 1)

    def reset(self) -> None:
        self._limiter.reset()


class RedactAdminQueryStrings(logging.Filter):
    """uvicorn's access log prints full URLs; the admin's query strings may hold a searched name."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            if path.startswith(ADMIN_PREFIX) and "?" in path:
                record.args = (*args[:2], path.split("?", 1)[0] + "?[redacted]", *args[3:])
        return True


def install_access_log_filter() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactAdminQueryStrings) for f in access.filters):
        access.addFilter(RedactAdminQueryStrings())
