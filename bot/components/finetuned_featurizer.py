"""FineTunedSentenceFeaturizer: sentence features from a MiniLM whose top layers were fine-tuned on our intents.

Training: a private copy of the base encoder (offline, from the package) has its top layers trained on the
labelled training messages (bot/components/encoder_finetuning.py); only those layers are stored with the model.
Loading: the base encoder from the package plus the stored layers. Inference: one normalised embedding per
message, added as a dense sentence feature, exactly like SentenceTransformerFeaturizer.

The knowledge-base retriever keeps using the base encoder (its index was built with it); see
KnowledgeBaseRetriever._query_vector. Measured against the frozen encoder in bench/results/nlu_finetuning.md.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.embedding_model import (
    BASE_EMBEDDING,
    BASE_ENCODER_ORIGIN,
    DEFAULT_MODEL_NAME,
    load_encoder,
    load_private_encoder,
    resolve_model_path,
)
from bot.components.encoder_finetuning import (
    FineTuneSettings,
    apply_tuned_state,
    encode_from_states,
    fine_tune,
    frozen_states,
    torch_threads,
)

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "tuned_layers.pt"
META_FILE = "fine_tuning.json"

# The frozen layers' output for a training run's messages: train() computes it once for the fine-tuning and
# leaves it here for process_training_data(), which Rasa runs next in the same process, so the final encoding
# of the training data skips the frozen layers. Taken (not kept) by the first reader; a run whose train step
# came from Rasa's cache finds nothing here and computes the states itself.
_TRAINING_STATES: Dict[tuple, Dict[str, Any]] = {}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class FineTunedSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        defaults = FineTuneSettings()
        return {
            **DenseFeaturizer.get_default_config(),
            "model_name": DEFAULT_MODEL_NAME,
            "model_path": None,
            "batch_size": 64,  # encoding
            "epochs": defaults.epochs,
            "frozen_layers": defaults.frozen_layers,
            "learning_rate": defaults.learning_rate,
            "training_batch_size": defaults.batch_size,
            # Word pieces read of each training example, by the tuning and for the classifier's training features
            # (the encoder's own limit applies when parsing).
            "training_max_length": defaults.max_length,
            "training_threads": defaults.threads,
            "random_seed": defaults.seed,
            # Intents whose examples are left out of fine-tuning (the classifier after it still learns them).
            "exclude_intents": [],
            # Also add the base encoder's embedding as a second sentence feature: the classifier then sees both
            # (topics separate better in the tuned one; alarming words in a joke look less like danger in the
            # base one), and the knowledge base reuses it instead of encoding the message a second time.
            "add_base_features": False,
            # Also add the mean of the frozen layers' output as a second sentence feature. It plays the base
            # embedding's part for the classifier (untuned, so a joke with "kill" in it keeps looking ordinary)
            # and costs nothing: those states are computed anyway (bench/results/nlu_pipeline_comparison.md).
            "add_frozen_features": False,
            # At parse time, keep the base encoder's embedding on the message (not as a classifier feature) for
            # the knowledge base, whose index was built with the base encoder; it costs only the base encoder's
            # top layers. Never computed for the training data, which the knowledge base does not need.
            "base_embedding_for_retrieval": False,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sentence_transformers", "torch"]

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage, resource: Resource,
                 tuned_state: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._encoder = load_private_encoder(self._config["model_name"], self._config["model_path"])
        self._tuned = tuned_state is not None
        if tuned_state is not None:
            apply_tuned_state(self._encoder, tuned_state)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not isinstance(config.get("model_name"), str) or not config["model_name"]:
            raise ValueError("FineTunedSentenceFeaturizer needs a non-empty 'model_name'.")
        if int(config.get("batch_size", 0)) < 1:
            raise ValueError("FineTunedSentenceFeaturizer 'batch_size' must be >= 1.")
        if not isinstance(config.get("exclude_intents") or [], list):
            raise ValueError("FineTunedSentenceFeaturizer 'exclude_intents' must be a list of intent names.")
        cls._settings(config).validate()

    @staticmethod
    def _settings(config: Dict[Text, Any]) -> FineTuneSettings:
        return FineTuneSettings(
            epochs=float(config.get("epochs", 1.0)),
            frozen_layers=int(config.get("frozen_layers", 3)),
            learning_rate=float(config.get("learning_rate", 5e-5)),
            batch_size=int(config.get("training_batch_size", 32)),
            max_length=int(config.get("training_max_length", 128)),
            threads=int(config.get("training_threads", 0)),
            seed=int(config.get("random_seed", 42)),
        )

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FineTunedSentenceFeaturizer":
        cls.validate_config(config)
        return cls(config, execution_context.node_name, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FineTunedSentenceFeaturizer":
        import torch

        state, meta = None, None
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / META_FILE).read_text())
                if (directory / WEIGHTS_FILE).exists():
                    state = torch.load(directory / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        except (ValueError, FileNotFoundError):
            logger.warning("FineTunedSentenceFeaturizer: no fine-tuned layers in the model; using the base encoder.")
        if meta is not None and meta.get("model_name") != config["model_name"]:
            raise ValueError(f"The model's encoder layers were tuned from {meta.get('model_name')!r} but the config "
                             f"names {config['model_name']!r}: train the model again.")
        return cls(config, execution_context.node_name, model_storage, resource, state)

    def _states_key(self) -> tuple:
        return (str(resolve_model_path(self._config["model_name"], self._config["model_path"])),
                int(self._config["frozen_layers"]), self._training_length())

    def _training_length(self) -> int:
        """Word pieces read of each training example, for the tuning and for the classifier's features alike:
        the classifier then learns from the same view of an example that the tuning shaped (parsing still reads
        up to the encoder's own limit)."""
        return self._settings(self._config).max_length

    def train(self, training_data: TrainingData) -> Resource:
        import torch

        excluded = set(self._config.get("exclude_intents") or [])
        labelled = [m for m in training_data.intent_examples
                    if m.get(TEXT) and m.get(INTENT) and m.get(INTENT) not in excluded]
        texts, labels = [m.get(TEXT) for m in labelled], [m.get(INTENT) for m in labelled]
        settings = self._settings(self._config)
        state = None
        if settings.epochs > 0 and len(set(labels)) >= 2:
            logger.info("Fine-tuning %s on %d messages of %d intents", self._config["model_name"], len(texts), len(set(labels)))
            every_text = list(dict.fromkeys(m.get(TEXT) for m in training_data.training_examples if m.get(TEXT)))
            with torch_threads(settings.threads):
                by_text = dict(zip(every_text, frozen_states(self._encoder, every_text, settings.frozen_layers,
                                                             batch_size=int(self._config["batch_size"]),
                                                             max_length=settings.max_length)))
            state = fine_tune(self._encoder, texts, labels, settings, states=[by_text[t] for t in texts],
                              progress=logger)
            self._tuned = True
            _TRAINING_STATES[self._states_key()] = by_text
        with self._model_storage.write_to(self._resource) as directory:
            if state is not None:
                torch.save(state, directory / WEIGHTS_FILE)
            (directory / META_FILE).write_text(json.dumps({
                "model_name": self._config["model_name"], "frozen_layers": settings.frozen_layers,
                "epochs": settings.epochs, "examples": len(texts), "intents": sorted(set(labels)),
                "tuned": state is not None,
            }, indent=2))
        return self._resource

    def _embed(self, messages: List[Message], known_states: Optional[Dict[str, Any]] = None,
               *, training: bool = False) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        texts = [m.get(TEXT) for m in with_text]
        frozen, batch_size = int(self._config["frozen_layers"]), int(self._config["batch_size"])
        known_states = known_states or {}
        missing = list(dict.fromkeys(t for t in texts if t not in known_states))
        if missing:
            limit = self._training_length() if training else None
            known_states = {**known_states, **dict(zip(missing, frozen_states(
                self._encoder, missing, frozen, batch_size=batch_size, max_length=limit)))}
        states = [known_states[t] for t in texts]
        base_feature = bool(self._config.get("add_base_features"))
        retrieval = bool(self._config.get("base_embedding_for_retrieval")) and not training
        # The base encoder shares the frozen layers, so its embedding costs only its top layers (and nothing at
        # all while the featurizer is untuned: then the tuned encoder is the base encoder).
        run_base = (base_feature or retrieval) and self._tuned
        encoders = [self._encoder] + ([load_encoder(self._config["model_name"], self._config["model_path"])]
                                      if run_base else [])
        vectors = encode_from_states(encoders, states, frozen, batch_size)
        tuned = vectors[0]
        base = vectors[1] if run_base else tuned
        features = [(tuned, self._identifier)]
        if base_feature:
            features.append((base, f"{self._identifier}:{BASE_ENCODER_ORIGIN}"))
        if self._config.get("add_frozen_features"):
            pooled = np.vstack([state.mean(dim=0).numpy() for state in states]).astype("float32")
            features.append((pooled / np.linalg.norm(pooled, axis=1, keepdims=True), f"{self._identifier}:frozen-layers"))
        for matrix, origin in features:
            for message, vector in zip(with_text, matrix):
                message.add_features(Features(np.expand_dims(vector, 0), FEATURE_TYPE_SENTENCE, TEXT, origin))
        if retrieval:
            for message, vector in zip(with_text, base):
                message.set(BASE_EMBEDDING, vector)

    def process(self, messages: List[Message]) -> List[Message]:
        self._embed(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training time only: every core, then back to the serving setting.
        with torch_threads(int(self._config["training_threads"])):
            self._embed(training_data.training_examples, _TRAINING_STATES.pop(self._states_key(), None), training=True)
        return training_data
