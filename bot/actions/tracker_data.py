"""Reading the NLU's outputs (triage, safety, kb) back from the tracker."""
from __future__ import annotations

from typing import Any, Dict, Optional

from rasa_sdk import Tracker


def latest_triage(tracker: Tracker) -> Dict[str, Any]:
    return dict(tracker.latest_message.get("triage") or {})


def latest_safety(tracker: Tracker) -> Dict[str, Any]:
    return dict(tracker.latest_message.get("safety") or {})


def last_triage_with(tracker: Tracker, decision: str) -> Optional[Dict[str, Any]]:
    """The triage of the most recent user message whose decision was `decision`."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        triage = (event.get("parse_data") or {}).get("triage") or {}
        if triage.get("decision") == decision:
            return triage
    return None
