"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import subprocess
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from referral_helpers import REPO_ROOT, alembic_config, migrate, new_database
from sqlalchemy import inspect

from handoff.model_registry import load_models

REFERRAL_TABLES = {"lawyers", "lawyer_practice_areas", "lawyer_licenses", "leads", "lead_history", "lead_notes"}


def _diff(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, load_models())


def test_migrations_match_models(database, tmp_path):
    db = new_database(database.kind, tmp_path)  # migrated to head
    try:
        assert _diff(db.engine) == []
        tables = set(inspect(db.engine).get_table_names())
        assert REFERRAL_TABLES <= tables
        assert "alembic_version" in tables
    finally:
        db.close()


def test_downgrade_and_upgrade_again(database, tmp_path):
    db = new_database(database.kind, tmp_path)
    try:
        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert not REFERRAL_TABLES & set(inspect(db.engine).get_table_names())
        migrate(db.engine)
        assert _diff(db.engine) == []
    finally:
        db.close()


def test_alembic_cli_on_fresh_directory(tmp_path):
    """`alembic -c handoff/alembic.ini upgrade head` works from the repo root with the settings' URL."""
    db_path = tmp_path / "fresh" / "var" / "legalaid.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}"}
    alembic = [sys.executable, "-m", "alembic", "-c", "handoff/alembic.ini"]
    for args in (["upgrade", "head"], ["check"], ["current"]):
        result = subprocess.run(alembic + args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert db_path.exists()
    assert "(head)" in result.stdout
