"""`python -m handoff.cli`: create-admin, reset-password, seed, purge-transcripts; and the first admin
created from ADMIN_EMAIL/ADMIN_PASSWORD at start-up."""
from __future__ import annotations

import io
import subprocess
import sys
import time

import pytest
from admin_helpers import REPO_ROOT, add_lead, housing_conversation, make_settings, new_app_database
from sqlalchemy.orm import Session

from handoff import cli
from handoff.admin.models import AuditEntry
from handoff.auth.models import StaffUser
from handoff.auth.passwords import verify_password
from handoff.conversations import repository
from handoff.db import make_engine
from handoff.lawyers.models import Lawyer
from handoff.main import create_app


@pytest.fixture
def db(tmp_path):
    url, engine = new_app_database(tmp_path)
    yield url, engine
    engine.dispose()


@pytest.fixture
def cli_settings(tmp_path, db):
    return make_settings(tmp_path, database_url=db[0])


def run(settings, *argv: str, stdin: str = "") -> int:
    return cli.main(list(argv), settings=settings, stdin=io.StringIO(stdin))


def users(engine) -> list[StaffUser]:
    with Session(engine) as session:
        return list(session.query(StaffUser).order_by(StaffUser.id))


def audit(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.query(AuditEntry).filter_by(action=action))


def test_create_admin_from_stdin(cli_settings, db, capsys):
    assert run(cli_settings, "create-admin", "--email", "Boss@Example.org", "--password-stdin",
               stdin="a long enough passphrase\n") == 0
    assert "Admin boss@example.org created" in capsys.readouterr().out
    [user] = users(db[1])
    assert user.email == "boss@example.org" and user.role == "admin" and user.active
    assert verify_password(user.password_hash, "a long enough passphrase")
    [entry] = audit(db[1], "user.create")
    assert entry.actor == "cli" and entry.detail["source"] == "cli"


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["--email", "boss@example.org", "--password-stdin"], "short\n", "at least 12"),
    (["--email", "not-an-email", "--password-stdin"], "a long enough passphrase\n", "valid email"),
    (["--email", "boss@example.org", "--password-stdin"], "", "no password"),
    ([], "", "--email is required"),
    (["--email", "boss@example.org"], "", "--password-stdin"),  # stdin is not a terminal
])
def test_create_admin_errors(cli_settings, db, capsys, argv, stdin, message):
    assert run(cli_settings, "create-admin", *argv, stdin=stdin) == 1
    assert message in capsys.readouterr().err
    assert users(db[1]) == []


def test_create_admin_twice_is_refused_and_reset_password_helps(cli_settings, db, capsys):
    run(cli_settings, "create-admin", "--email", "boss@example.org", "--password-stdin", stdin="first passphrase!\n")
    assert run(cli_settings, "create-admin", "--email", "boss@example.org", "--password-stdin",
               stdin="second passphrase\n") == 1
    assert "reset-password" in capsys.readouterr().err
    assert run(cli_settings, "reset-password", "--email", "boss@example.org", "--password-stdin",
               stdin="second passphrase\n") == 0
    [user] = users(db[1])
    assert verify_password(user.password_hash, "second passphrase") and user.session_version == 2
    assert len(audit(db[1], "user.password_reset")) == 1


def test_the_password_is_never_a_command_line_argument():
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["create-admin", "--password", "x"])


def test_unmigrated_database_gives_a_clear_error(tmp_path, capsys):
    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    assert run(settings, "create-admin", "--email", "a@example.org", "--password-stdin", stdin="a long passphrase\n") == 1
    assert "alembic -c handoff/alembic.ini upgrade head" in capsys.readouterr().err


def test_seed_adds_demo_lawyers_idempotently_and_the_admin_from_env(tmp_path, db, capsys):
    settings = make_settings(tmp_path, database_url=db[0], admin_email="first@example.org",
                             admin_password="first admin passphrase")
    assert run(settings, "seed") == 0
    out = capsys.readouterr().out
    assert "First admin first@example.org created" in out
    with Session(db[1]) as session:
        count = session.query(Lawyer).count()
    assert count > 10
    assert run(settings, "seed") == 0
    assert "Demo lawyers: 0 added" in capsys.readouterr().out
    assert [u.email for u in users(db[1])] == ["first@example.org"]


def test_seed_without_env_tells_how_to_create_the_admin(cli_settings, capsys):
    assert run(cli_settings, "seed") == 0
    assert "python -m handoff.cli create-admin" in capsys.readouterr().out


def test_first_admin_from_env_at_start_up_only_when_no_user_exists(tmp_path, db):
    settings = make_settings(tmp_path, database_url=db[0], admin_email="env@example.org",
                             admin_password="env admin passphrase")
    create_app(settings).state.engine.dispose()
    assert [(u.email, u.role) for u in users(db[1])] == [("env@example.org", "admin")]
    other = make_settings(tmp_path, database_url=db[0], admin_email="second@example.org",
                          admin_password="second admin passphrase")
    create_app(other).state.engine.dispose()
    assert [u.email for u in users(db[1])] == ["env@example.org"]
    assert audit(db[1], "user.create")[0].detail["source"] == "ADMIN_EMAIL"


def test_no_default_password_in_the_code():
    for path in list((REPO_ROOT / "handoff" / "auth").glob("*.py")) + [REPO_ROOT / "handoff" / "cli.py"]:
        text = path.read_text()
        assert "admin123" not in text and "changeme" not in text.lower() and "password123" not in text


def test_purge_transcripts(tmp_path, db, capsys):
    tracker_url = f"sqlite:///{tmp_path / 'purge-tracker.db'}"
    tracker = make_engine(tracker_url)
    old = time.time() - 200 * 86400
    housing_conversation(tracker, "old-no-lead-1", start=old)
    housing_conversation(tracker, "old-no-lead-2", start=old)
    housing_conversation(tracker, "old-with-lead", start=old)
    housing_conversation(tracker, "recent-no-lead")
    with Session(db[1]) as session:
        add_lead(session, conversation_id="old-with-lead")
    settings = make_settings(tmp_path, database_url=db[0], tracker_database_url=tracker_url)

    assert run(settings, "purge-transcripts", "--dry-run") == 0
    assert "2 transcripts would be purged" in capsys.readouterr().out
    assert repository.transcript(tracker, "old-no-lead-1")

    assert run(settings, "purge-transcripts") == 0
    assert "Purged 2 transcripts (14 events)" in capsys.readouterr().out
    remaining = {c.sender_id for c in repository.list_conversations(tracker)[0]}
    assert remaining == {"old-with-lead", "recent-no-lead"}
    [entry] = audit(db[1], "transcripts.purge")
    assert entry.actor == "cli" and entry.detail["conversations"] == 2 and entry.detail["retention_days"] == 180

    assert run(settings, "purge-transcripts", "--days", "1") == 0  # shorter retention: nothing else is old enough
    assert "Purged 0 transcripts" in capsys.readouterr().out
    tracker.dispose()


def test_cli_runs_as_a_module(tmp_path, db):
    env = {"DATABASE_URL": db[0], "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "handoff.cli", "create-admin", "--email", "mod@example.org",
                             "--password-stdin"], input="module passphrase ok\n", capture_output=True, text=True,
                            cwd=REPO_ROOT, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Admin mod@example.org created" in result.stdout
    assert "module passphrase" not in result.stdout + result.stderr
