"""Settings read from the environment (and an optional .env); invalid values stop start-up at once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # The app's own database: leads, lawyers, staff users, labels, feedback.
    database_url: str = f"sqlite:///{VAR_DIR / 'legalaid.db'}"
    # Rasa's SQL tracker store (conversations); read-only for the app.
    tracker_database_url: str = f"sqlite:///{VAR_DIR / 'tracker.db'}"

    rasa_url: str = "http://127.0.0.1:5005"
    # Token of Rasa's HTTP API (--auth-token); needed for /model/parse and tracker reads.
    rasa_token: str = Field(default="", repr=False)
    rasa_timeout_seconds: float = Field(default=30.0, gt=0)

    # Shared secret the action server presents to the referral API.
    service_token: str = Field(default="", repr=False)
    # Signs admin session cookies and CSRF tokens.
    secret_key: str = Field(default="", repr=False)

    # Referral service: how lawyers are told about new leads (file: JSON lines under var/; smtp: email).
    notifier: Literal["file", "smtp"] = "file"
    mail_outbox_path: Path = VAR_DIR / "outbox_mail.log"
    smtp_host: str = ""
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_user: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_from: str = ""
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    # Sites allowed to embed the widget (comma-separated origins, or * for any). The chat API
    # uses no cookies, so allowing any origin exposes nothing a direct request couldn't reach.
    cors_origins: str = "*"

    max_message_chars: int = Field(default=5000, gt=0)
    # Per client address (and, for the chat, per conversation); e.g. "60/minute". See handoff/ratelimit.py.
    chat_rate_limit: str = "60/minute"
    login_rate_limit: str = "10/minute"

    # Admin panel: the first admin is created from these at first start when no staff user exists
    # (or with `python -m handoff.cli create-admin`); there is no default password.
    admin_email: str = ""
    admin_password: str = Field(default="", repr=False)
    # Sessions end after this much inactivity (and at the latest 12 hours after sign-in).
    admin_session_idle_minutes: int = Field(default=120, ge=5, le=24 * 60)
    # Send the admin session cookie over HTTPS only; set to true in production behind TLS.
    admin_cookie_secure: bool = False
    # Transcripts of conversations that did not lead to a referral are purged after this many days
    # (`python -m handoff.cli purge-transcripts`).
    transcript_retention_days: int = Field(default=180, ge=1)

    @model_validator(mode="after")
    def _smtp_complete(self) -> "Settings":
        if self.notifier == "smtp" and not (self.smtp_host and self.smtp_from):
            raise ValueError("NOTIFIER=smtp needs SMTP_HOST and SMTP_FROM")
        return self

    @field_validator("database_url", "tracker_database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:// or postgresql:// SQLAlchemy URL")
        return value

    @field_validator("chat_rate_limit", "login_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError("must be a rate limit such as '60/minute' or '10 per second'") from None
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
