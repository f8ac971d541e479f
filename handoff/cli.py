"""Command line of the app:

    python -m handoff.cli create-admin [--email E] [--password-stdin]   # the first (or another) admin
    python -m handoff.cli reset-password --email E [--password-stdin]   # locked out? set a new password
    python -m handoff.cli seed                                          # demo lawyers (+ admin from env)
    python -m handoff.cli purge-transcripts [--days N] [--dry-run]      # retention of transcripts

The database is the configured DATABASE_URL (run the migrations first:
`alembic -c handoff/alembic.ini upgrade head`). Passwords are never taken as a command-line
argument (they would end up in the shell history and the process list).
"""
from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from typing import TextIO

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from .admin import audit
from .admin.retention import purge_transcripts
from .auth import service as users
from .auth.passwords import MIN_LENGTH
from .conversations.repository import make_tracker_engine
from .db import make_engine, make_session_factory
from .service_errors import Conflict, InvalidInput
from .settings import Settings, get_settings

MIGRATE_HINT = "Is the database migrated? Run: alembic -c handoff/alembic.ini upgrade head"


class CliError(Exception):
    pass


@contextmanager
def _session(settings: Settings):
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _read_password(args: argparse.Namespace, stdin: TextIO, *, confirm: bool = True) -> str:
    if args.password_stdin:
        line = stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CliError("no password on standard input")
        return password
    if not stdin.isatty():
        raise CliError("no terminal to ask for the password: pass --password-stdin and pipe the password in")
    while True:
        password = getpass.getpass(f"Password (at least {MIN_LENGTH} characters): ")
        if confirm and getpass.getpass("Password again: ") != password:
            print("The passwords are not the same; try again.", file=sys.stderr)
            continue
        return password


def _read_email(args: argparse.Namespace, stdin: TextIO) -> str:
    if args.email:
        return args.email
    if args.password_stdin or not stdin.isatty():
        raise CliError("--email is required when not running interactively")
    return input("Email: ").strip()


def create_admin(args: argparse.Namespace, settings: Settings, stdin: TextIO) -> int:
    email = _read_email(args, stdin)
    if problem := users.email_problem(users.normalize_email(email)):
        raise CliError(problem)
    password = _read_password(args, stdin)
    with _session(settings) as session:
        try:
            user = users.create_user(session, email=email, password=password, role="admin", commit=False)
            audit.record(session, actor=audit.CLI, action="user.create", target_type="user", target_id=user.id,
                         detail={"role": "admin", "source": "cli"})
            session.commit()
        except InvalidInput as exc:
            raise CliError("; ".join(message for _field, message in exc.errors)) from None
        except Conflict as exc:
            raise CliError(f"{exc.message} Use `python -m handoff.cli reset-password --email ...` "
                           "to set a new password.") from None
        print(f"Admin {user.email} created. Sign in at /admin/login.")
    return 0


def reset_password(args: argparse.Namespace, settings: Settings, stdin: TextIO) -> int:
    email = _read_email(args, stdin)
    with _session(settings) as session:
        user = users.get_user_by_email(session, email=email)
        if user is None:
            raise CliError("no staff user with this email")
        password = _read_password(args, stdin)
        try:
            users.set_password(session, user=user, password=password, commit=False)
        except InvalidInput as exc:
            raise CliError("; ".join(message for _field, message in exc.errors)) from None
        audit.record(session, actor=audit.CLI, action="user.password_reset", target_type="user", target_id=user.id)
        session.commit()
        print(f"New password set for {user.email}; their open sessions were ended.")
    return 0


def bootstrap_from_env(session: Session, settings: Settings) -> str:
    if not (settings.admin_email and settings.admin_password):
        if users.count_users(session) == 0:
            return ("No staff user yet: run `python -m handoff.cli create-admin` "
                    "(or set ADMIN_EMAIL and ADMIN_PASSWORD).")
        return "Staff users exist."
    try:
        user = users.bootstrap_admin(session, email=settings.admin_email, password=settings.admin_password)
    except InvalidInput as exc:
        raise CliError("ADMIN_EMAIL/ADMIN_PASSWORD: " + "; ".join(m for _f, m in exc.errors)) from None
    if user is None:
        return "Staff users exist; ADMIN_EMAIL/ADMIN_PASSWORD ignored."
    audit.record(session, actor=audit.CLI, action="user.create", target_type="user", target_id=user.id,
                 detail={"role": "admin", "source": "ADMIN_EMAIL"}, commit=True)
    return f"First admin {user.email} created from ADMIN_EMAIL/ADMIN_PASSWORD."


def seed(args: argparse.Namespace, settings: Settings, stdin: TextIO) -> int:
    from .lawyers.seed import seed_demo_lawyers

    with _session(settings) as session:
        added = seed_demo_lawyers(session)
        print(f"Demo lawyers: {added} added.")
        print(bootstrap_from_env(session, settings))
    return 0


def purge(args: argparse.Namespace, settings: Settings, stdin: TextIO) -> int:
    days = args.days if args.days is not None else settings.transcript_retention_days
    if days < 1:
        raise CliError("--days must be at least 1")
    tracker = make_tracker_engine(settings.tracker_database_url)
    try:
        with _session(settings) as session:
            result = purge_transcripts(session, tracker, days=days, actor=audit.CLI, dry_run=args.dry_run)
    finally:
        tracker.dispose()
    if args.dry_run:
        print(f"{result.conversations} transcripts would be purged (no lead, inactive for more than {days} days).")
    else:
        print(f"Purged {result.conversations} transcripts ({result.events} events): conversations without a lead, "
              f"inactive for more than {days} days.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m handoff.cli", description="LegalAid Chat administration")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("create-admin", help="create an admin user (prompts for email and password)")
    p.add_argument("--email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(handler=create_admin)

    p = commands.add_parser("reset-password", help="set a new password for a staff user")
    p.add_argument("--email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(handler=reset_password)

    p = commands.add_parser("seed", help="add the demo lawyers; create the first admin from ADMIN_EMAIL/ADMIN_PASSWORD")
    p.set_defaults(handler=seed)

    p = commands.add_parser("purge-transcripts", help="delete transcripts past the retention period (no lead)")
    p.add_argument("--days", type=int, help="retention in days (default: TRANSCRIPT_RETENTION_DAYS, 180)")
    p.add_argument("--dry-run", action="store_true", help="only count what would be purged")
    p.set_defaults(handler=purge)
    return parser


def main(argv: Sequence[str] | None = None, *, settings: Settings | None = None, stdin: TextIO | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args, settings or get_settings(), stdin or sys.stdin)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as exc:
        print(f"error: database not ready ({type(exc).__name__}). {MIGRATE_HINT}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\ncancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
