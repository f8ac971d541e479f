"""Turns Rasa's replies and tracker events into the widget's message format."""
from __future__ import annotations

from .schemas import BotMessage, Button, HistoryItem


def _custom_fields(custom: dict | None) -> dict:
    custom = custom if isinstance(custom, dict) else {}
    links = [link for link in custom.get("links", []) if isinstance(link, dict) and "url" in link]
    return {"links": links, "kind": custom.get("kind")}


def _buttons(raw: list | None) -> list[Button]:
    return [Button(title=str(b.get("title", "")), payload=str(b.get("payload", ""))) for b in raw or [] if isinstance(b, dict)]


def bot_messages_from_rest(replies: list[dict]) -> list[BotMessage]:
    """Rasa's REST channel sends a reply's custom payload (links, kind) as a separate message
    right after its text; fold it back into the message it belongs to."""
    messages: list[BotMessage] = []
    for reply in replies:
        extras = _custom_fields(reply.get("custom"))
        if reply.get("text") is None and not reply.get("buttons"):
            if messages and "custom" in reply:
                previous = messages[-1]
                previous.links = previous.links + extras["links"]
                previous.kind = previous.kind or extras["kind"]
            elif extras["links"]:
                messages.append(BotMessage(text=None, **extras))
            continue
        messages.append(BotMessage(text=reply.get("text"), buttons=_buttons(reply.get("buttons")), **extras))
    return messages


def history_from_tracker(tracker: dict) -> list[HistoryItem]:
    """User and bot turns of a tracker, oldest first; restarts and internal events are skipped."""
    items: list[HistoryItem] = []
    for event in tracker.get("events", []):
        kind = event.get("event")
        if kind == "user":
            text = event.get("text") or ""
            # Button clicks arrive as "/intent{...}" payloads; show the button's title instead when known.
            title = (event.get("metadata") or {}).get("display_text")
            items.append(HistoryItem(role="user", text=title or text, timestamp=event.get("timestamp")))
        elif kind == "bot":
            data = event.get("data") or {}
            extras = _custom_fields(data.get("custom"))
            items.append(
                HistoryItem(
                    role="bot",
                    text=event.get("text"),
                    buttons=_buttons(data.get("buttons")),
                    timestamp=event.get("timestamp"),
                    **extras,
                )
            )
    return items
