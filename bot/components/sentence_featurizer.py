"""SentenceTransformerFeaturizer: dense sentence features from a sentence-transformers model.

Adds one sentence-level dense feature (the normalised embedding of the whole message) to every
message. Training data is encoded in batches; the model is loaded once per process and offline.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.embedding_model import DEFAULT_MODEL_NAME, encode, load_encoder


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceTransformerFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "model_name": DEFAULT_MODEL_NAME,
            "model_path": None,
            "batch_size": 64,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sentence_transformers", "torch"]

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        # Load at construction so the first user message does not pay for it.
        load_encoder(self._config["model_name"], self._config["model_path"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceTransformerFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not isinstance(config.get("model_name"), str) or not config["model_name"]:
            raise ValueError("SentenceTransformerFeaturizer needs a non-empty 'model_name'.")
        if int(config.get("batch_size", 0)) < 1:
            raise ValueError("SentenceTransformerFeaturizer 'batch_size' must be >= 1.")

    def _embed(self, messages: List[Message]) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        vectors = encode(
            [m.get(TEXT) for m in with_text],
            model_name=self._config["model_name"],
            model_path=self._config["model_path"],
            batch_size=int(self._config["batch_size"]),
        )
        for message, vector in zip(with_text, vectors):
            message.add_features(
                Features(
                    np.expand_dims(vector, 0),
                    FEATURE_TYPE_SENTENCE,
                    TEXT,
                    self._identifier,
                )
            )

    def process(self, messages: List[Message]) -> List[Message]:
        self._embed(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._embed(training_data.training_examples)
        return training_data
