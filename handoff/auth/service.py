"""Staff user functions: create, authenticate, update, change password, first-admin bootstrap.

Nothing here logs an email address or a password: logs carry user ids only.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db_types import utcnow
from ..service_errors import Conflict, InvalidInput, NotFound
from .models import ROLES, StaffUser
from .passwords import hash_password, needs_rehash, password_problem, verify_password

logger = logging.getLogger(__name__)

# Deliberately simple: staff emails are typed by admins, the point is to catch typos.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def email_problem(email: str) -> str | None:
    if not email:
        return "Enter an email address."
    if len(email) > 254 or not _EMAIL.match(email):
        return "Enter a valid email address, like name@example.org."
    return None


def get_user(session: Session, *, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def get_user_by_email(session: Session, *, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == normalize_email(email)))


def count_users(session: Session, *, role: str | None = None, active: bool | None = None) -> int:
    query = select(func.count(StaffUser.id))
    if role is not None:
        query = query.where(StaffUser.role == role)
    if active is not None:
        query = query.where(StaffUser.active.is_(active))
    return session.scalar(query) or 0


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.email)))


def create_user(session: Session, *, email: str, password: str, role: str, commit: bool = True) -> StaffUser:
    email = normalize_email(email)
    errors: list[tuple[str, str]] = []
    if problem := email_problem(email):
        errors.append(("email", problem))
    if role not in ROLES:
        errors.append(("role", f"Choose one of: {', '.join(ROLES)}."))
    if problem := password_problem(password, email=email):
        errors.append(("password", problem))
    if errors:
        raise InvalidInput(errors)
    if get_user_by_email(session, email=email) is not None:
        raise Conflict("A staff user with this email already exists.")
    user = StaffUser(email=email, password_hash=hash_password(password), role=role, active=True, session_version=1,
                     created_at=utcnow(), password_changed_at=utcnow())
    session.add(user)
    if commit:
        try:
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise Conflict("A staff user with this email already exists.") from exc
        logger.info("staff user %s created (role %s)", user.id, role)
    else:
        session.flush()
    return user


def authenticate(session: Session, *, email: str, password: str) -> StaffUser | None:
    """The active user with these credentials (last login updated), else None. Same cost either way."""
    user = get_user_by_email(session, email=email) if len(password) <= 1024 else None
    ok = verify_password(user.password_hash if user else None, password[:1024])
    if user is None or not ok or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.commit()
    return user


def set_password(session: Session, *, user: StaffUser, password: str, commit: bool = True) -> None:
    if problem := password_problem(password, email=user.email):
        raise InvalidInput([("password", problem)])
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_version = (user.session_version or 1) + 1
    if commit:
        session.commit()
    logger.info("staff user %s: password changed", user.id)


@dataclass
class UserChange:
    role: str | None = None
    active: bool | None = None


def update_user(session: Session, *, user: StaffUser, by: StaffUser, change: UserChange, commit: bool = True) -> dict:
    """Change a user's role and/or active flag. Returns {"field": [old, new]} of what changed.

    Nobody can demote or deactivate themselves, and the last active admin always stays.
    """
    changed: dict = {}
    if change.role is not None and change.role not in ROLES:
        raise InvalidInput([("role", f"Choose one of: {', '.join(ROLES)}.")])
    new_role = change.role if change.role is not None else user.role
    new_active = change.active if change.active is not None else user.active
    if user.id == by.id and (new_role != user.role or new_active != user.active):
        raise Conflict("You cannot change your own role or deactivate yourself; ask another admin.")
    losing_admin = user.role == "admin" and user.active and (new_role != "admin" or not new_active)
    if losing_admin and count_users(session, role="admin", active=True) <= 1:
        raise Conflict("This is the last active admin; make another user admin first.")
    if new_role != user.role:
        changed["role"] = [user.role, new_role]
        user.role = new_role
    if new_active != user.active:
        changed["active"] = [user.active, new_active]
        user.active = new_active
    if changed:
        user.session_version = (user.session_version or 1) + 1
        if commit:
            session.commit()
        logger.info("staff user %s updated by %s (%s)", user.id, by.id, ", ".join(sorted(changed)))
    return changed


def bootstrap_admin(session: Session, *, email: str, password: str) -> StaffUser | None:
    """Create the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when no staff user exists yet.

    Returns the user created, or None when there already are users (the env is then ignored).
    """
    if not (email and password):
        return None
    if count_users(session) > 0:
        return None
    user = create_user(session, email=email, password=password, role="admin")
    logger.info("first admin created from ADMIN_EMAIL/ADMIN_PASSWORD (user %s)", user.id)
    return user
