"""The notifier interface: anything that can deliver a message to a lawyer."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    # What the message is about, for logs and the outbox file (never personal data).
    kind: str = "lead_assigned"
    lead_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class NotificationError(Exception):
    """The message could not be delivered."""


@runtime_checkable
class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Deliver the message or raise (any exception counts as a failed delivery)."""
