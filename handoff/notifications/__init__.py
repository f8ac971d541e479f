"""Notifications to lawyers: a Notifier protocol, file (default) and SMTP implementations."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Message, NotificationError, Notifier
from .file import FileNotifier
from .smtp import SmtpNotifier

if TYPE_CHECKING:  # pragma: no cover
    from ..settings import Settings

__all__ = ["FileNotifier", "Message", "NotificationError", "Notifier", "SmtpNotifier", "build_notifier"]


def build_notifier(settings: Settings) -> Notifier:
    """The notifier chosen by NOTIFIER=file|smtp."""
    if settings.notifier == "smtp":
        return SmtpNotifier(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    return FileNotifier(settings.mail_outbox_path)
