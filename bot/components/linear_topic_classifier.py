"""LinearTopicClassifier: multinomial logistic regression on the sentence features.

Reads the dense sentence features (the sentence-transformers embedding) and, when
`use_sparse` is on, the sparse sentence features too (e.g. CountVectorsFeaturizer word and
char n-grams), and predicts the intent with calibrated-ish probabilities that the
FallbackClassifier and the triage decision threshold on.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import joblib
import numpy as np
import scipy.sparse
import scipy.sparse.linalg
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_topic_classifier.joblib"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearTopicClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 4.0,  # inverse regularisation strength of the logistic regression
            "use_sparse": False,  # also use sparse sentence features (bag of n-grams)
            "sparse_weight": 1.0,  # scales sparse features against the unit-norm embedding
            "class_weight": "balanced",
            "max_iter": 2000,
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, model=None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "LinearTopicClassifier":
        return cls(config, model_storage, resource)

    # --- features -------------------------------------------------------------------------
    def _features(self, messages: List[Message]):
        rows = []
        for message in messages:
            _, dense = message.get_dense_features(TEXT)
            _, sparse = message.get_sparse_features(TEXT)
            if dense is None:
                raise ValueError(
                    "LinearTopicClassifier needs dense sentence features: put SentenceTransformerFeaturizer before it."
                )
            if not self._config["use_sparse"]:
                rows.append(dense.features.reshape(-1))
                continue
            parts = [scipy.sparse.csr_matrix(dense.features.reshape(1, -1))]
            if sparse is not None:
                sparse_row = scipy.sparse.csr_matrix(sparse.features.reshape(1, -1), dtype=np.float32)
                norm = scipy.sparse.linalg.norm(sparse_row) or 1.0
                parts.append(sparse_row * (self._config["sparse_weight"] / norm))
            rows.append(scipy.sparse.hstack(parts, format="csr"))
        if not self._config["use_sparse"]:
            # Dense features only: a dense matrix fits 7x faster than the same numbers in sparse rows (14 s -> 2 s
            # for the production training data, bench/results/nlu_speed.md).
            return np.vstack(rows)
        return scipy.sparse.vstack(rows, format="csr")

    # --- training -------------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        labels = [m.get(INTENT) for m in examples]
        if len(set(labels)) < 2:
            logger.warning("LinearTopicClassifier: fewer than two intents, nothing to train.")
            return self._resource
        model = LogisticRegression(
            C=float(self._config["C"]),
            class_weight=self._config["class_weight"],
            max_iter=int(self._config["max_iter"]),
        )
        model.fit(self._features(examples), labels)
        self._model = model
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "LinearTopicClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.debug("LinearTopicClassifier: no trained model found; predicting nothing.")
            model = None
        return cls(config, model_storage, resource, model)

    # --- inference ------------------------------------------------------------------------
    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        probabilities = self._model.predict_proba(self._features(with_text))
        classes = self._model.classes_
        for message, probs in zip(with_text, probabilities):
            order = np.argsort(probs)[::-1]
            ranking = [
                {"name": str(classes[i]), "confidence": float(probs[i])}
                for i in order[: int(self._config["ranking_length"])]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
