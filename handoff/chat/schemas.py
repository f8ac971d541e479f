"""Request and response bodies of the chat API, validated strictly at the boundary."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_MESSAGE_CHARS = 5000
SENDER_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"


def reject_blank_text(value: str, field: str) -> str:
    """Shared by every free-text field of the public API."""
    if not value.strip():
        raise ValueError(f"{field} must not be blank")
    if "\x00" in value:
        raise ValueError(f"{field} must not contain NUL characters")
    return value


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sender: str = Field(pattern=SENDER_PATTERN, description="Conversation id kept by the widget (letters, digits, _.:-)")
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return reject_blank_text(value, "message")


class Button(BaseModel):
    title: str
    payload: str


class BotMessage(BaseModel):
    text: str | None = None
    buttons: list[Button] = []
    links: list[dict] = []
    kind: str | None = Field(default=None, description="Optional hint for the widget, e.g. 'answer' or 'emergency'")


class ChatResponse(BaseModel):
    sender: str
    messages: list[BotMessage]


class HistoryItem(BaseModel):
    role: Literal["user", "bot"]
    text: str | None = None
    buttons: list[Button] = []
    links: list[dict] = []
    kind: str | None = None
    timestamp: float | None = None


class HistoryResponse(BaseModel):
    sender: str
    messages: list[HistoryItem]
