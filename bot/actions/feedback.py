"""'This helped' / 'This didn't help': stored in the tracker for analytics, then one rephrase or a lawyer."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from bot.actions.triage import offer_lawyer


class ActionRecordFeedback(Action):
    def name(self) -> Text:
        return "action_record_feedback"

    async def run(self, dispatcher, tracker, domain):
        helpful = tracker.latest_message.get("intent", {}).get("name") == "feedback_helpful"
        answer = tracker.get_slot("last_answer") or {}
        # Analytics reads this slot event: the article, the NLU confidence and the verdict together.
        record = {**answer, "helpful": helpful}
        events = [SlotSet("answer_feedback", record)]
        if helpful:
            dispatcher.utter_message(
                text="I'm glad it helped. If anything changes or you'd like a lawyer to look at it, just ask."
            )
            return events + [SlotSet("pending", None)]
        if tracker.get_slot("pending") == "rephrase" or not answer:
            return events + offer_lawyer(dispatcher, reason="feedback", lead_in="I'm sorry that didn't help.")
        dispatcher.utter_message(
            text="I'm sorry that didn't help. Could you tell me a bit more about your situation, in other words? "
            "Or I can connect you with a lawyer.",
            buttons=[{"title": "Talk to a lawyer", "payload": "/request_lawyer"}],
        )
        return events + [SlotSet("pending", "rephrase")]
