"""TriageDecision: what the bot should do with a message, decided in one place.

Runs last. Combines the classifier ranking, the FallbackClassifier verdict, the safety
guardrail and the knowledge-base hits into `triage`:
{"decision": answer|clarify|handoff|emergency|out_of_scope, "topic", "confidence",
 "reason", "runner_up", "article_id", "article_score"}.
The same output serves the dialogue (actions read it from the tracker) and POST /api/triage.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.policy.decision import DecisionConfig, decide
from bot.policy.lawyer_request import asks_for_lawyer

LAWYER_REQUEST_INTENT = "request_lawyer"

TRIAGE_OUTPUT = "triage"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TriageDecision(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return DecisionConfig().as_dict()

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._decision_config = DecisionConfig.from_dict({**self.get_default_config(), **config})

    @classmethod
    def create(cls, config, model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext):
        return cls(config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        DecisionConfig.from_dict({**cls.get_default_config(), **config})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            intent = message.get(INTENT) or {}
            safety = message.get("safety") or {}
            if (intent.get("name") not in (LAWYER_REQUEST_INTENT, "emergency") and safety.get("level") != "emergency"
                    and not text.startswith("/") and asks_for_lawyer(text)):
                # An explicit request for a lawyer wins over the topic (which stays in the ranking and the
                # triage output, so the lead still gets it); the dialogue's "asks for a lawyer" rule takes over.
                message.set(INTENT, {"name": LAWYER_REQUEST_INTENT, "confidence": 1.0}, add_to_output=True)
            triage = decide(
                text=text,
                intent=(message.get(INTENT) or {}).get("name"),
                ranking=message.get(INTENT_RANKING_KEY) or [],
                safety=safety,
                kb=message.get("kb") or {},
                config=self._decision_config,
            )
            message.set(TRIAGE_OUTPUT, triage, add_to_output=True)
        return messages
