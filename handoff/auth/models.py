"""Staff users of the admin panel (reviewers and admins)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ..db_types import UTCDateTime, utcnow

ROLES: tuple[str, ...] = ("reviewer", "admin")
# An admin can do everything a reviewer can.
ROLE_RANK: dict[str, int] = {"reviewer": 1, "admin": 2}


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (
        UniqueConstraint("email", name="uq_staff_users_email"),
        CheckConstraint("role in ('reviewer', 'admin')", name="ck_staff_users_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased; the sign-in name.
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password, role or activation changes: every existing session of the user ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def has_role(self, role: str) -> bool:
        return self.active and ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")
