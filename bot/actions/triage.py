"""Actions that act on the triage decision: answer, clarify once, hand off, or emergency."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import knowledge, messages
from bot.actions.tracker_data import last_triage_with, latest_safety, latest_triage

MAX_PROBLEM_CHARS = 2000


def remember_problem(tracker: Tracker) -> List[EventType]:
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return []
    previous = tracker.get_slot("problem_text")
    combined = f"{previous}\n{text}" if previous and text not in previous else text
    return [SlotSet("problem_text", combined[-MAX_PROBLEM_CHARS:])]


def offer_lawyer(dispatcher: CollectingDispatcher, *, reason: str, lead_in: Optional[str] = None) -> List[EventType]:
    text = f"{lead_in}\n\n{messages.LAWYER_OFFER}" if lead_in else messages.LAWYER_OFFER
    dispatcher.utter_message(text=text, buttons=messages.LAWYER_BUTTONS, json_message={"kind": "handoff"})
    return [SlotSet("pending", "lawyer_offer"), SlotSet("handoff_reason", reason)]


def answer_with_article(
    dispatcher: CollectingDispatcher, *, article_id: str, topic: str, confidence: float, score: float
) -> List[EventType]:
    item = knowledge.article(article_id)
    if item is None:
        return offer_lawyer(dispatcher, reason="low_confidence", lead_in="I don't have a good article on this yet.")
    links = [{"title": link.title, "url": link.url} for link in item.links]
    dispatcher.utter_message(
        text=f"{knowledge.render_answer(item)}\n\n{messages.DISCLAIMER} If you'd like, I can connect you with a lawyer.",
        buttons=messages.FEEDBACK_BUTTONS,
        json_message={"kind": "answer", "links": links, "article_id": item.id},
    )
    answer = {"article_id": item.id, "topic": topic, "confidence": round(confidence, 4), "score": round(score, 4)}
    return [SlotSet("last_answer", answer), SlotSet("pending", "feedback"), SlotSet("topic", topic)]


def ask_clarifying_question(dispatcher: CollectingDispatcher, triage: Dict[str, Any]) -> List[EventType]:
    first, second = triage["topic"], triage.get("runner_up")
    buttons = [{"title": messages.SHORT_LABELS[first], "payload": f'/choose_topic{{"topic":"{first}"}}'}]
    if second:
        buttons.append({"title": messages.SHORT_LABELS[second], "payload": f'/choose_topic{{"topic":"{second}"}}'})
    buttons.append({"title": "Something else", "payload": "/something_else"})
    dispatcher.utter_message(text=messages.clarify_question(first, second), buttons=buttons, json_message={"kind": "clarify"})
    return [SlotSet("pending", "clarify"), SlotSet("clarified", True)]


def emergency(dispatcher: CollectingDispatcher) -> List[EventType]:
    dispatcher.utter_message(text=messages.EMERGENCY_TEXT, json_message={"kind": "emergency"})
    return offer_lawyer(dispatcher, reason="guardrail")


class ActionTriage(Action):
    """Runs on every legal-topic message, on nlu_fallback and on emergencies."""

    def name(self) -> Text:
        return "action_triage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        triage = latest_triage(tracker)
        safety = latest_safety(tracker)
        events = [] if triage.get("decision") == "out_of_scope" else remember_problem(tracker)
        decision = triage.get("decision")
        topic = triage.get("topic")
        confidence = float(triage.get("confidence") or 0.0)
        if topic:
            events += [SlotSet("topic", topic), SlotSet("confidence", confidence)]

        if decision == "emergency" or safety.get("level") == "emergency":
            return events + emergency(dispatcher)
        if safety.get("level") == "abuse":
            dispatcher.utter_message(text=messages.ABUSE_TEXT, json_message={"kind": "emergency"})
            return events + offer_lawyer(dispatcher, reason="guardrail")
        if triage.get("high_stakes"):
            lead_in = messages.HIGH_STAKES_TEXT.get(triage["high_stakes"][0], messages.HIGH_STAKES_DEFAULT)
            return events + offer_lawyer(dispatcher, reason="high_stakes", lead_in=lead_in)
        if decision == "out_of_scope" and triage.get("reason") == "not_understood":
            dispatcher.utter_message(text=messages.NOT_UNDERSTOOD, json_message={"links": messages.RESOURCES_LINKS})
            return events
        if decision == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return events
        if decision == "answer":
            last = tracker.get_slot("last_answer") or {}
            if tracker.get_slot("pending") == "rephrase" and last.get("article_id") == triage.get("article_id"):
                # The same article did not help the first time: don't repeat it.
                return events + offer_lawyer(dispatcher, reason="feedback", lead_in="I'm sorry my information didn't help.")
            return events + answer_with_article(
                dispatcher, article_id=triage["article_id"], topic=topic, confidence=confidence,
                score=float(triage.get("article_score") or 0.0),
            )
        if decision == "clarify" and not tracker.get_slot("clarified"):
            return events + ask_clarifying_question(dispatcher, triage)
        reason = triage.get("reason") or "low_confidence"
        if reason == "complex":
            lead_in = "It sounds like your situation involves several legal issues. A lawyer can look at the whole picture with you."
        else:
            lead_in = "I'm not sure I have the right information for this, and I don't want to guess."
            reason = "low_confidence" if reason in ("ambiguous", None) else reason
        return events + offer_lawyer(dispatcher, reason=reason, lead_in=lead_in)


class ActionChooseTopic(Action):
    """The reply to the clarifying question: answer for the chosen topic, else the lawyer offer."""

    def name(self) -> Text:
        return "action_choose_topic"

    async def run(self, dispatcher, tracker, domain):
        topic = next(tracker.get_latest_entity_values("topic"), None)
        original = last_triage_with(tracker, "clarify") or {}
        events: List[EventType] = [SlotSet("pending", None)]
        if topic not in messages.TOPIC_LABELS:
            return events + offer_lawyer(dispatcher, reason="low_confidence")
        events.append(SlotSet("topic", topic))
        candidate = (original.get("candidates") or {}).get(topic)
        confidence = float(original.get("confidence") or 0.0)
        if candidate:
            return events + answer_with_article(
                dispatcher, article_id=candidate["article_id"], topic=topic, confidence=confidence, score=candidate["score"]
            )
        return events + offer_lawyer(
            dispatcher, reason="low_confidence",
            lead_in=f"Thanks. I don't have a good self-help article for this {messages.SHORT_LABELS[topic].lower()} question.",
        )


class ActionSomethingElse(Action):
    def name(self) -> Text:
        return "action_something_else"

    async def run(self, dispatcher, tracker, domain):
        if tracker.get_slot("pending") == "clarify":
            return offer_lawyer(dispatcher, reason="low_confidence", lead_in="Thanks for letting me know.")
        dispatcher.utter_message(text="Sure. Tell me in your own words what's going on.")
        return []


class ActionHandleAffirm(Action):
    def name(self) -> Text:
        return "action_handle_affirm"

    async def run(self, dispatcher, tracker, domain):
        pending = tracker.get_slot("pending")
        if pending == "clarify":
            original = last_triage_with(tracker, "clarify") or {}
            topic = original.get("topic")
            candidate = (original.get("candidates") or {}).get(topic) if topic else None
            if candidate:
                return [SlotSet("pending", None)] + answer_with_article(
                    dispatcher, article_id=candidate["article_id"], topic=topic,
                    confidence=float(original.get("confidence") or 0.0), score=candidate["score"],
                )
            return offer_lawyer(dispatcher, reason="low_confidence")
        dispatcher.utter_message(text="Okay! Tell me what legal problem I can help you with.")
        return [SlotSet("pending", None)]


class ActionHandleDeny(Action):
    def name(self) -> Text:
        return "action_handle_deny"

    async def run(self, dispatcher, tracker, domain):
        pending = tracker.get_slot("pending")
        if pending == "lawyer_offer":
            dispatcher.utter_message(response="utter_no_lawyer", json_message={"links": messages.RESOURCES_LINKS})
            return [SlotSet("pending", None)]
        if pending == "clarify":
            return offer_lawyer(dispatcher, reason="low_confidence", lead_in="Thanks for letting me know.")
        dispatcher.utter_message(text="Okay. Is there something else I can help you with?")
        return [SlotSet("pending", None)]


class ActionStartHandoff(Action):
    """The person asked for (or accepted) a lawyer: the rules run the consent-first lead form next."""

    def name(self) -> Text:
        return "action_start_handoff"

    async def run(self, dispatcher, tracker, domain):
        events: List[EventType] = [SlotSet("pending", None)]
        pending = tracker.get_slot("pending")
        if pending == "rephrase":
            # "Talk to a lawyer" right after an answer that didn't help.
            events.append(SlotSet("handoff_reason", "feedback"))
        elif pending != "lawyer_offer" or not tracker.get_slot("handoff_reason"):
            events.append(SlotSet("handoff_reason", "user_request"))
        # "Can I talk to a lawyer about my eviction next week" also describes the problem;
        # a bare "I need a lawyer" does not, and the form will ask for a summary instead.
        text = tracker.latest_message.get("text") or ""
        if tracker.latest_message.get("intent", {}).get("name") == "request_lawyer" and len(text.split()) >= 7:
            events += remember_problem(tracker)
        return events


class ActionDefaultFallback(Action):
    def name(self) -> Text:
        return "action_default_fallback"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(response="utter_default")
        return []
