"""SafetyGuardrail: rule-based danger detection that overrides the classifier.

Runs after the classifiers. When `bot.safety.detector` finds immediate danger, the intent
becomes `emergency` with confidence 1.0 whatever the model predicted, so the dialogue answers
with emergency resources first. It always outputs `safety`: {"level", "categories",
"high_stakes"}; the topic ranking is kept untouched for analytics and the triage decision.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety.detector import assess

SAFETY_OUTPUT = "safety"
EMERGENCY_INTENT = "emergency"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyGuardrail(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"emergency_intent": EMERGENCY_INTENT}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(cls, config, model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext):
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):  # button payloads are not free text
                continue
            assessment = assess(text)
            message.set(SAFETY_OUTPUT, assessment.as_dict(), add_to_output=True)
            if assessment.level == "emergency":
                message.set(INTENT, {"name": self._config["emergency_intent"], "confidence": 1.0}, add_to_output=True)
        return messages
