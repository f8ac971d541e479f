"""A persistent outbox for leads (stdlib sqlite3): nothing the person submitted is lost while the
referral API is down. Items are claimed before each delivery attempt, so several threads or
processes never send the same item at once; the API's idempotency key makes a repeated send
(after a crash between sending and marking) harmless.

Python 3.10, standard library only (it runs inside the Rasa action server's environment).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Union

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_PATH = REPO_ROOT / "var" / "lead_outbox.db"

PENDING, DELIVERED, REJECTED = "pending", "delivered", "rejected"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lead_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    claimed_until REAL,
    last_error TEXT,
    lead_id INTEGER,
    created_at REAL NOT NULL,
    delivered_at REAL,
    UNIQUE (idempotency_key, payload_hash)
);
CREATE INDEX IF NOT EXISTS ix_lead_outbox_due ON lead_outbox (status, next_attempt_at);
"""


def payload_hash(payload: Dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass
class OutboxItem:
    id: int
    idempotency_key: str
    payload: Dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: float
    last_error: Optional[str]
    lead_id: Optional[int]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "OutboxItem":
        return cls(
            id=row["id"],
            idempotency_key=row["idempotency_key"],
            payload=json.loads(row["payload"]),
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            lead_id=row["lead_id"],
        )


class Outbox:
    """Leads waiting for delivery, in a SQLite file (default var/lead_outbox.db, or LEAD_OUTBOX_PATH).

    Retry delays grow exponentially: base_delay * 2**(attempts-1), capped at max_delay, with jitter.
    """

    def __init__(
        self,
        path: Union[str, Path, None] = None,
        *,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        claim_seconds: float = 60.0,
        jitter: bool = True,
    ):
        self.path = Path(path or os.environ.get("LEAD_OUTBOX_PATH") or DEFAULT_PATH)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.claim_seconds = claim_seconds
        self.jitter = jitter
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        # A connection per operation: safe from any thread; autocommit, explicit BEGIN IMMEDIATE.
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def backoff(self, attempts: int) -> float:
        delay = min(self.max_delay, self.base_delay * (2 ** max(attempts - 1, 0)))
        return delay * (0.5 + random.random() / 2) if self.jitter else delay

    # --- writing ------------------------------------------------------------------------------

    def enqueue(self, idempotency_key: str, payload: Dict[str, Any]) -> OutboxItem:
        """Store the lead (durably, before any delivery attempt). The same key and payload again
        is the same item; the same key with another payload is a new item (the API will decide)."""
        digest = payload_hash(payload)
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO lead_outbox (idempotency_key, payload_hash, payload, next_attempt_at, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (idempotency_key, digest, json.dumps(payload), now, now),
            )
            row = db.execute(
                "SELECT * FROM lead_outbox WHERE idempotency_key = ? AND payload_hash = ?", (idempotency_key, digest)
            ).fetchone()
        return OutboxItem.from_row(row)

    def claim(self, item_id: int) -> Optional[OutboxItem]:
        """Take a pending item for one delivery attempt now (whatever its schedule); None if it is
        delivered, rejected or being delivered by someone else."""
        now = time.time()
        with self._write() as db:
            row = db.execute(
                "SELECT * FROM lead_outbox WHERE id = ? AND status = 'pending' "
                "AND (claimed_until IS NULL OR claimed_until < ?)",
                (item_id, now),
            ).fetchone()
            if row is None:
                return None
            db.execute("UPDATE lead_outbox SET claimed_until = ? WHERE id = ?", (now + self.claim_seconds, item_id))
        return OutboxItem.from_row(row)

    def claim_due(self, *, limit: int = 100, force: bool = False) -> List[OutboxItem]:
        """Take up to `limit` pending items whose retry time has come (all pending ones with force)."""
        now = time.time()
        with self._write() as db:
            rows = db.execute(
                "SELECT * FROM lead_outbox WHERE status = 'pending' AND (? OR next_attempt_at <= ?) "
                "AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?",
                (1 if force else 0, now, now, limit),
            ).fetchall()
            db.executemany(
                "UPDATE lead_outbox SET claimed_until = ? WHERE id = ?", [(now + self.claim_seconds, r["id"]) for r in rows]
            )
        return [OutboxItem.from_row(row) for row in rows]

    def mark_delivered(self, item_id: int, *, lead_id: Optional[int]) -> None:
        # The API has the lead now: drop the personal data from the local copy.
        with self._write() as db:
            db.execute(
                "UPDATE lead_outbox SET status = 'delivered', payload = '{}', lead_id = ?, delivered_at = ?, "
                "claimed_until = NULL, last_error = NULL, attempts = attempts + 1 WHERE id = ?",
                (lead_id, time.time(), item_id),
            )

    def mark_failed(self, item_id: int, *, error: str) -> float:
        """Schedule the next attempt with exponential backoff; returns the delay in seconds."""
        with self._write() as db:
            row = db.execute("SELECT attempts FROM lead_outbox WHERE id = ?", (item_id,)).fetchone()
            attempts = (row["attempts"] if row else 0) + 1
            delay = self.backoff(attempts)
            db.execute(
                "UPDATE lead_outbox SET attempts = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ? "
                "WHERE id = ? AND status = 'pending'",
                (attempts, time.time() + delay, error[:500], item_id),
            )
        return delay

    def postpone(self, item_ids: List[int], *, delay: float) -> None:
        """Release claimed items untried and move their next attempt `delay` seconds ahead (used when
        the API just failed: no point hammering it with the rest of the queue)."""
        if not item_ids:
            return
        with self._write() as db:
            db.executemany(
                "UPDATE lead_outbox SET claimed_until = NULL, next_attempt_at = MAX(next_attempt_at, ?) "
                "WHERE id = ? AND status = 'pending'",
                [(time.time() + delay, item_id) for item_id in item_ids],
            )

    def mark_rejected(self, item_id: int, *, error: str) -> None:
        """The API refused the lead for good (invalid, or a different lead under the same key). It is
        kept here, not retried, for a person to look at."""
        with self._write() as db:
            db.execute(
                "UPDATE lead_outbox SET status = 'rejected', claimed_until = NULL, last_error = ?, "
                "attempts = attempts + 1 WHERE id = ?",
                (error[:500], item_id),
            )

    # --- reading ------------------------------------------------------------------------------

    def get(self, item_id: int) -> Optional[OutboxItem]:
        with self._connection() as db:
            row = db.execute("SELECT * FROM lead_outbox WHERE id = ?", (item_id,)).fetchone()
        return OutboxItem.from_row(row) if row else None

    def counts(self) -> Dict[str, int]:
        with self._connection() as db:
            rows = db.execute("SELECT status, COUNT(*) AS n FROM lead_outbox GROUP BY status").fetchall()
        counts = {PENDING: 0, DELIVERED: 0, REJECTED: 0}
        counts.update({row["status"]: row["n"] for row in rows})
        return counts

    def pending(self) -> List[OutboxItem]:
        with self._connection() as db:
            rows = db.execute("SELECT * FROM lead_outbox WHERE status = 'pending' ORDER BY id").fetchall()
        return [OutboxItem.from_row(row) for row in rows]

    def next_due_in(self) -> Optional[float]:
        """Seconds until the next pending item is due (0 if overdue), None if nothing is pending."""
        with self._connection() as db:
            row = db.execute("SELECT MIN(next_attempt_at) AS t FROM lead_outbox WHERE status = 'pending'").fetchone()
        if row is None or row["t"] is None:
            return None
        return max(0.0, row["t"] - time.time())


class RetryLoop:
    """Background thread that keeps flushing the outbox until stopped."""

    def __init__(self, flush, *, interval: float = 1.0, name: str = "lead-outbox-retry"):
        self._flush = flush
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "RetryLoop":
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._flush()
            except Exception as exc:  # noqa: BLE001 - keep the loop alive whatever happens
                logger.warning("lead outbox: retry pass failed (%s)", type(exc).__name__)
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
