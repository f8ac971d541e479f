"""Performance fixes for the Rasa server process (Rasa 3.6), applied when `bot` is imported there.

Custom action responses: Rasa validates every response of the action server with
`jsonschema.validate(result, schema)`, which re-checks the (large, constant) schema against the
2020-12 meta-schema and builds a new validator on every call: about 30 ms of CPU per custom
action call on a 2-core machine, 35-40 % of Rasa's time per turn in the load test
(bench/results/load_chat.md). The same validation with a validator built once costs about 1 ms.
Behaviour is unchanged: a valid response passes, an invalid one raises the same ValidationError
with Rasa's explanation appended.

SQLite tracker store (the local run; docker-compose uses PostgreSQL): Rasa commits every turn in
SQLite's default rollback-journal mode with a full fsync, inside its event loop (about 6 ms per
commit here, 14 % of Rasa's time per turn). Its connections are switched to WAL with
synchronous=NORMAL: a commit no longer waits for the disk (about 0.01 ms), the database stays
consistent, and a crash of Rasa loses nothing; only a power cut or kernel crash can lose the last
moments of conversation history (never a lead: leads live in the app's database and the action
server's outbox, which keep full synchronous writes). WAL also lets the admin panel read while
Rasa writes.
"""
from __future__ import annotations

import sys
from typing import Any, Dict

_PATCHED = "_legalaid_cached_validator"


def _cached_validate_action_result(self, result: Dict[str, Any]) -> bool:
    from jsonschema.exceptions import best_match
    from rasa.core.actions import action as rasa_action

    validator = getattr(rasa_action.RemoteAction, _PATCHED, None)
    if validator is None:
        from jsonschema.validators import validator_for

        schema = self.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)  # once, as jsonschema.validate would on every call
        validator = cls(schema)
        setattr(rasa_action.RemoteAction, _PATCHED, validator)
    error = best_match(validator.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {rasa_action.DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


# Rasa's SQLite engine opens and closes a connection per operation (NullPool); when the last
# connection to a WAL database closes, SQLite checkpoints and deletes the WAL with an fsync, every
# turn. One idle connection per database file, kept for the life of the process, prevents that
# (no transaction stays open on it, so automatic checkpoints still run every 1000 pages).
_KEEP_OPEN: Dict[str, Any] = {}


def _sqlite_tracker_pragmas(dbapi_connection, _record) -> None:
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    path = next((row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"), "")
    cursor.close()
    if path and path not in _KEEP_OPEN:
        keeper = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        keeper.execute("PRAGMA schema_version").fetchone()  # a read opens the WAL index; no transaction stays open
        _KEEP_OPEN[path] = keeper


def apply() -> bool:
    """Patch Rasa if this process runs Rasa's core (the server, training); a no-op elsewhere
    (the action server does not import rasa.core). Returns whether the patch is in place."""
    module = sys.modules.get("rasa.core.actions.action")
    if module is None:
        return False
    remote = module.RemoteAction
    if remote._validate_action_result is not _cached_validate_action_result:
        remote._validate_action_result = _cached_validate_action_result
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    # Class-level: also reaches the tracker store's engine, created before this package is imported.
    if not event.contains(Pool, "connect", _sqlite_tracker_pragmas):
        event.listen(Pool, "connect", _sqlite_tracker_pragmas)
    return True
