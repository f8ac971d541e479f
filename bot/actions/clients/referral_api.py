"""The action server's client of the referral API (POST /api/leads), with a persistent outbox.

    from bot.actions.clients.referral_api import submit_or_queue
    outcome = submit_or_queue(lead)   # "delivered" or "queued"

The lead is first written to the outbox (var/lead_outbox.db), then sent with
`Idempotency-Key: <conversation id>`. If the API is down or answers 5xx, the lead stays in the
outbox and a background thread retries it with exponential backoff until it is delivered; the
idempotency key guarantees the API stores it exactly once.

Environment: REFERRAL_API_URL (default http://127.0.0.1:8000), SERVICE_TOKEN, LEAD_OUTBOX_PATH.
Python 3.10, standard library only. Never logs personal data (only outbox ids and HTTP statuses).
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, Dict, Optional

from .outbox import Outbox, OutboxItem, RetryLoop

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8000"
DELIVERED, QUEUED = "delivered", "queued"
# Answers worth retrying: the server is down/overloaded, or not configured yet (token).
RETRY_STATUSES = {401, 403, 408, 425, 429, 500, 502, 503, 504}


@dataclass
class Attempt:
    outcome: str  # "delivered" | "retry" | "rejected"
    status: Optional[int] = None
    lead_id: Optional[int] = None
    error: str = ""
    retry_in: float = 0.0


@dataclass
class FlushReport:
    delivered: int = 0
    retried: int = 0
    rejected: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.rejected


def idempotency_key(lead: Dict[str, Any]) -> str:
    key = str(lead.get("conversation_id") or "").strip()
    if not key:
        raise ValueError("a lead needs its conversation_id (used as the Idempotency-Key)")
    return key


def _error_fields(body: bytes) -> str:
    """Field names from the API's error body (never the values)."""
    try:
        errors = json.loads(body or b"{}").get("errors") or []
        return ",".join(sorted({str(e.get("field")) for e in errors if isinstance(e, dict)}))
    except (ValueError, AttributeError):
        return ""


class ReferralClient:
    def __init__(
        self,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        *,
        outbox: Optional[Outbox] = None,
        timeout: float = 5.0,
        fast_fail_seconds: float = 5.0,
    ):
        self.base_url = (base_url or os.environ.get("REFERRAL_API_URL") or DEFAULT_URL).rstrip("/")
        self._token = token if token is not None else os.environ.get("SERVICE_TOKEN", "")
        self.outbox = outbox or Outbox()
        self.timeout = timeout
        # After a failed attempt, new leads skip the immediate try for a few seconds and go straight
        # to the outbox, so a person is not kept waiting on a dead API one timeout after another.
        self.fast_fail_seconds = fast_fail_seconds
        self._down_until = 0.0
        self._loop: Optional[RetryLoop] = None
        self._loop_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ReferralClient(base_url={self.base_url!r})"

    # --- one HTTP attempt ---------------------------------------------------------------------

    def submit(self, lead: Dict[str, Any]) -> Attempt:
        """POST the lead once. Never raises for network or HTTP errors: the outcome says what to do."""
        request = urllib.request.Request(
            f"{self.base_url}/api/leads",
            data=json.dumps(lead).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self._token}",
                "Idempotency-Key": idempotency_key(lead),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return Attempt("retry", error=f"{type(exc).__name__}: {type(reason).__name__}")
        if status in (200, 201):
            try:
                lead_id = json.loads(body).get("id")
            except (ValueError, AttributeError):
                lead_id = None
            return Attempt("delivered", status=status, lead_id=lead_id)
        if status in RETRY_STATUSES or status >= 500:
            return Attempt("retry", status=status, error=f"HTTP {status}")
        fields = _error_fields(body)
        return Attempt("rejected", status=status, error=f"HTTP {status}" + (f" fields={fields}" if fields else ""))

    def _deliver(self, item: OutboxItem) -> Attempt:
        attempt = self.submit(item.payload)
        if attempt.outcome == "delivered":
            self.outbox.mark_delivered(item.id, lead_id=attempt.lead_id)
            self._down_until = 0.0
            logger.info("lead outbox item %s delivered (HTTP %s, lead %s)", item.id, attempt.status, attempt.lead_id)
        elif attempt.outcome == "retry":
            attempt.retry_in = self.outbox.mark_failed(item.id, error=attempt.error)
            self._down_until = time.time() + self.fast_fail_seconds
            logger.warning("lead outbox item %s not delivered (%s); retry in %.1fs", item.id, attempt.error, attempt.retry_in)
        else:
            self.outbox.mark_rejected(item.id, error=attempt.error)
            logger.error("lead outbox item %s rejected by the referral API (%s); kept in the outbox", item.id, attempt.error)
        return attempt

    # --- what the action calls ------------------------------------------------------------------

    def submit_or_queue(self, lead: Dict[str, Any]) -> str:
        """Deliver the lead now if possible ("delivered"); otherwise it is safe in the outbox and
        will be retried in the background ("queued")."""
        item = self.outbox.enqueue(idempotency_key(lead), lead)
        if item.status == "delivered":
            return DELIVERED
        if time.time() >= self._down_until:
            claimed = self.outbox.claim(item.id)
            if claimed is not None and self._deliver(claimed).outcome == "delivered":
                return DELIVERED
        self.ensure_retry_loop()
        return QUEUED

    def flush(self, *, force: bool = False, limit: int = 100) -> FlushReport:
        """Try the pending leads whose retry time has come (all pending ones with force=True).

        When an attempt fails with a retryable error the pass stops: the remaining leads are put
        back untried with the same delay, so a dead API gets one request per backoff step.
        """
        report = FlushReport()
        while True:
            items = self.outbox.claim_due(limit=limit, force=force)
            if not items:
                return report
            for index, item in enumerate(items):
                attempt = self._deliver(item)
                if attempt.outcome == "delivered":
                    report.delivered += 1
                elif attempt.outcome == "rejected":
                    report.rejected += 1
                else:
                    report.retried += 1
                    self.outbox.postpone([rest.id for rest in items[index + 1:]], delay=attempt.retry_in)
                    return report
            if len(items) < limit:
                return report

    # --- background retries -------------------------------------------------------------------

    def start_retry_loop(self, interval: float = 1.0) -> RetryLoop:
        """Start (once) the thread that flushes due leads every `interval` seconds."""
        with self._loop_lock:
            if self._loop is None or not self._loop.running:
                self._loop = RetryLoop(self.flush, interval=interval).start()
            return self._loop

    def ensure_retry_loop(self) -> None:
        if self._loop is None or not self._loop.running:
            self.start_retry_loop()

    def stop_retry_loop(self) -> None:
        with self._loop_lock:
            if self._loop is not None:
                self._loop.stop()
                self._loop = None


_default: Optional[ReferralClient] = None
_default_lock = threading.Lock()


def default_client() -> ReferralClient:
    """The process-wide client, configured from the environment on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ReferralClient()
        return _default


def submit_or_queue(lead: Dict[str, Any]) -> str:
    """For the action: "delivered" when the API has the lead, "queued" when it is kept for retry."""
    return default_client().submit_or_queue(lead)


def flush(force: bool = False) -> FlushReport:
    return default_client().flush(force=force)


def start_retry_loop(interval: float = 1.0) -> RetryLoop:
    """Call once when the action server starts: also delivers leads queued before a restart."""
    return default_client().start_retry_loop(interval=interval)
