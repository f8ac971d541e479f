"""The consent-first lead form: validation of each answer, and submission to the referral API."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import messages

logger = logging.getLogger(__name__)

CONSENT_VERSION = "2026-11-26"
CONSENT_TEXT = (
    "Before I ask for your contact details: we'll share your name, contact details and a short summary of your "
    "problem with a lawyer from our referral panel (or a legal-aid organisation) so they can contact you. We keep "
    "this information only for that purpose, and you can ask us to delete it at any time. Do you agree?"
)
FORM_SLOTS = ["consent", "full_name", "contact", "contact_email", "contact_phone", "state_or_zip", "summary", "urgency"]

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
ZIP = re.compile(r"^\d{5}(-\d{4})?$")
CANCEL_WORDS = {"cancel", "stop", "quit", "never mind", "nevermind", "forget it", "exit"}
URGENCY_WORDS = {
    "high": "high", "urgent": "high", "asap": "high", "soon": "high",
    "normal": "normal", "medium": "normal", "regular": "normal",
    "low": "low", "not urgent": "low", "exploring": "low",
}
US_STATES = {
    "AL": "alabama", "AK": "alaska", "AZ": "arizona", "AR": "arkansas", "CA": "california", "CO": "colorado",
    "CT": "connecticut", "DE": "delaware", "DC": "district of columbia", "FL": "florida", "GA": "georgia",
    "HI": "hawaii", "ID": "idaho", "IL": "illinois", "IN": "indiana", "IA": "iowa", "KS": "kansas",
    "KY": "kentucky", "LA": "louisiana", "ME": "maine", "MD": "maryland", "MA": "massachusetts", "MI": "michigan",
    "MN": "minnesota", "MS": "mississippi", "MO": "missouri", "MT": "montana", "NE": "nebraska", "NV": "nevada",
    "NH": "new hampshire", "NJ": "new jersey", "NM": "new mexico", "NY": "new york", "NC": "north carolina",
    "ND": "north dakota", "OH": "ohio", "OK": "oklahoma", "OR": "oregon", "PA": "pennsylvania",
    "RI": "rhode island", "SC": "south carolina", "SD": "south dakota", "TN": "tennessee", "TX": "texas",
    "UT": "utah", "VT": "vermont", "VA": "virginia", "WA": "washington", "WV": "west virginia",
    "WI": "wisconsin", "WY": "wyoming", "PR": "puerto rico", "GU": "guam", "VI": "virgin islands",
}
STATE_BY_NAME = {name: code for code, name in US_STATES.items()}


def parse_phone(text: str) -> Optional[str]:
    if not re.fullmatch(r"[0-9+().\-\s]{7,25}", text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789":
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return None


def parse_state_or_zip(text: str) -> Optional[Dict[str, str]]:
    value = text.strip().rstrip(".")
    if ZIP.fullmatch(value):
        return {"zip": value[:5]}
    if value.upper() in US_STATES:
        return {"state": value.upper()}
    if value.lower() in STATE_BY_NAME:
        return {"state": STATE_BY_NAME[value.lower()]}
    return None


def already_submitted(tracker: Tracker) -> bool:
    """A lead from this conversation was delivered or queued before (its id is the idempotency key)."""
    return any(
        e.get("event") == "slot" and e.get("name") == "lead_status" and e.get("value") in ("delivered", "queued")
        for e in tracker.events
    )


def _cancelled(tracker: Tracker) -> bool:
    text = (tracker.latest_message.get("text") or "").strip().lower().rstrip(".!")
    return text in CANCEL_WORDS


class ActionAskConsent(Action):
    """Asks for consent with the versioned consent text (the version is stored with the lead)."""

    def name(self) -> Text:
        return "action_ask_consent"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(
            text=CONSENT_TEXT,
            buttons=[{"title": "Yes, I agree", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            json_message={"kind": "consent", "consent_version": CONSENT_VERSION},
        )
        return []


class ActionAskSummary(Action):
    """Shows back what the person already said, so they confirm or rewrite the summary."""

    def name(self) -> Text:
        return "action_ask_summary"

    async def run(self, dispatcher, tracker, domain):
        problem = (tracker.get_slot("problem_text") or "").strip()
        if problem:
            dispatcher.utter_message(
                text=f"Here's the summary I'll share with the lawyer:\n\n\"{problem[:600]}\"\n\n"
                "Is that right? Choose \"Yes\" or type a corrected summary.",
                buttons=[{"title": "Yes, that's right", "payload": "/affirm"}],
            )
        else:
            dispatcher.utter_message(text="In a few sentences, what is your legal problem about?")
        return []


class ValidateLeadForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_lead_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        # No consent, the person cancelled, or this conversation's request was already sent:
        # nothing more is asked and nothing new is stored.
        if tracker.get_slot("consent") is False or tracker.get_slot("lead_status") == "cancelled":
            return []
        if already_submitted(tracker):
            return []
        return domain_slots

    def _cancel(self, dispatcher) -> Dict[Text, Any]:
        return {"lead_status": "cancelled"}

    def validate_consent(self, value, dispatcher, tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value is True:
            return {"consent": True, "lead_status": None}
        if value is False:
            return {"consent": False}
        dispatcher.utter_message(text="Please answer yes or no: may we share your details with a lawyer?")
        return {"consent": None}

    def validate_full_name(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if _cancelled(tracker):
            return self._cancel(dispatcher)
        name = " ".join(str(value or "").split())
        if value and str(value).startswith("/") or not 1 <= len(name) <= 100 or re.search(r"\d|@", name):
            dispatcher.utter_message(text="Please type just your name (up to 100 letters), for example: Jane Doe.")
            return {"full_name": None}
        return {"full_name": name}

    def validate_contact(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if _cancelled(tracker):
            return self._cancel(dispatcher)
        text = str(value or "").strip()
        if EMAIL.fullmatch(text) and len(text) <= 254:
            return {"contact": text, "contact_email": text.lower(), "contact_phone": None}
        phone = parse_phone(text)
        if phone:
            return {"contact": text, "contact_phone": phone, "contact_email": None}
        dispatcher.utter_message(
            text="That doesn't look like an email address or a US phone number. Please type one, for example "
            "jane@example.com or (555) 201-3344."
        )
        return {"contact": None}

    def validate_state_or_zip(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if _cancelled(tracker):
            return self._cancel(dispatcher)
        if parse_state_or_zip(str(value or "")):
            return {"state_or_zip": str(value).strip()}
        dispatcher.utter_message(text="Please type a US state (like TX or Texas) or a 5-digit ZIP code.")
        return {"state_or_zip": None}

    def validate_summary(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if _cancelled(tracker):
            return self._cancel(dispatcher)
        intent = tracker.latest_message.get("intent", {}).get("name")
        problem = (tracker.get_slot("problem_text") or "").strip()
        if intent == "affirm" and problem:
            return {"summary": problem[:2000]}
        text = str(value or "").strip()
        if text.startswith("/") or len(text) < 10:
            dispatcher.utter_message(text="Please describe the problem in a sentence or two (at least 10 characters).")
            return {"summary": None}
        return {"summary": text[:2000]}

    def validate_urgency(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if _cancelled(tracker):
            return self._cancel(dispatcher)
        text = str(value or "").strip().lower()
        for word, urgency in URGENCY_WORDS.items():
            if text.startswith(word):
                return {"urgency": urgency}
        dispatcher.utter_message(text="Please choose High, Normal or Low.")
        return {"urgency": None}


def last_topic(tracker: Tracker) -> Optional[str]:
    """The topic slot, else the most recent topic the NLU saw in the person's own words."""
    if tracker.get_slot("topic"):
        return tracker.get_slot("topic")
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            topic = ((event.get("parse_data") or {}).get("triage") or {}).get("topic")
            if topic:
                return topic
    return ((tracker.latest_message or {}).get("triage") or {}).get("topic")


def build_lead(tracker: Tracker) -> Dict[str, Any]:
    place = parse_state_or_zip(tracker.get_slot("state_or_zip") or "") or {}
    email, phone = tracker.get_slot("contact_email"), tracker.get_slot("contact_phone")
    consent_at = dt.datetime.now(dt.timezone.utc)
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "consent" and event.get("value") is True:
            consent_at = dt.datetime.fromtimestamp(event.get("timestamp"), dt.timezone.utc)
            break
    reason = tracker.get_slot("handoff_reason") or "user_request"
    return {
        "conversation_id": tracker.sender_id,
        "topic": last_topic(tracker),
        "nlu_confidence": tracker.get_slot("confidence"),
        "handoff_reason": reason,
        "name": tracker.get_slot("full_name"),
        "email": email,
        "phone": phone,
        "state": place.get("state"),
        "zip_code": place.get("zip"),
        "preferred_contact": "email" if email else "phone",
        "urgency": tracker.get_slot("urgency") or "normal",
        "summary": tracker.get_slot("summary"),
        "consent_version": CONSENT_VERSION,
        "consent_at": consent_at.isoformat(),
    }


def _reset() -> List[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("pending", None), SlotSet("handoff_reason", None)]


class ActionSubmitLead(Action):
    def name(self) -> Text:
        return "action_submit_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[EventType]:
        if tracker.get_slot("consent") is False:
            dispatcher.utter_message(response="utter_consent_declined", json_message={"links": messages.RESOURCES_LINKS})
            return _reset() + [SlotSet("lead_status", "declined")]
        if tracker.get_slot("lead_status") == "cancelled":
            dispatcher.utter_message(text="Okay, I've stopped. Nothing was sent. You can ask for a lawyer again any time.")
            return _reset() + [SlotSet("lead_status", "cancelled")]
        if already_submitted(tracker):
            dispatcher.utter_message(
                text="We already have your request from this conversation, and someone will contact you. "
                "If anything has changed, you can tell them when they get in touch. If you're in danger, call 911."
            )
            return [SlotSet("pending", None)]
        from bot.actions.clients.referral_api import submit_or_queue

        lead = build_lead(tracker)
        # The client may wait on the network; keep the action server's event loop free meanwhile.
        outcome = await asyncio.get_running_loop().run_in_executor(None, submit_or_queue, lead)
        how = "email" if lead["email"] else "phone"
        if outcome == "delivered":
            text = (
                f"Thank you, {lead['name']}. Your request has been sent. A lawyer or legal-aid worker will contact you "
                f"by {how}, usually within 2 business days. If you're in danger, call 911."
            )
        else:
            text = (
                f"Thank you, {lead['name']}. Our referral system is busy right now, so your request is saved and will be "
                f"sent automatically as soon as it's back. You don't need to do anything; someone will contact you by {how}."
            )
        dispatcher.utter_message(text=text, json_message={"kind": "handoff_done"})
        return _reset() + [SlotSet("lead_status", outcome)]
