"""KnowledgeBaseRetriever: finds the self-help article that answers a message.

At training time it validates the knowledge base (a schema error stops the build, naming file
and field), embeds every question variant once and stores the vectors with the model. At run
time it reuses the message's sentence embedding from SentenceTransformerFeaturizer (no second
encoding), searches with a bonus for the NLU's top topics, and outputs `kb`:
{"hits": [{"id", "topic", "score"}...], "by_topic": {topic: [{"id", "topic", "score"}...]}}.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.embedding_model import (
    BASE_EMBEDDING,
    BASE_ENCODER_ORIGIN,
    DEFAULT_MODEL_NAME,
    encode,
    load_encoder,
    torch_threads,
)
from bot.knowledge.index import Hit, VectorIndex
from bot.knowledge.kb import TOPICS, load_knowledge_base, retrieval_texts

logger = logging.getLogger(__name__)

KB_OUTPUT = "kb"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class KnowledgeBaseRetriever(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "kb_dir": "nlu_data/kb",
            "model_name": DEFAULT_MODEL_NAME,
            "model_path": None,
            "top_k": 5,
            "topic_boost": 0.1,  # added to articles of the NLU's top topic (half for the runner-up)
            "per_topic": 3,  # topics of the NLU ranking for which a restricted search is kept
        }

    def __init__(self, config, model_storage: ModelStorage, resource: Resource, index: Optional[VectorIndex] = None):
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._index = index

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "KnowledgeBaseRetriever":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        articles = load_knowledge_base(Path(self._config["kb_dir"]))
        pairs = retrieval_texts(articles.values())
        load_encoder(self._config["model_name"], self._config["model_path"])  # loading sets the serving threads
        with torch_threads(0):  # training: every core (serving keeps one thread per process)
            vectors = encode([text for _, text in pairs], model_name=self._config["model_name"],
                             model_path=self._config["model_path"])
        ids = [article_id for article_id, _ in pairs]
        topics = [articles[article_id].topic for article_id in ids]
        self._index = VectorIndex(vectors, ids, topics)
        with self._storage.write_to(self._resource) as directory:
            np.save(directory / "vectors.npy", vectors)
            (directory / "rows.json").write_text(json.dumps({"ids": ids, "topics": topics}))
        logger.info("KnowledgeBaseRetriever: indexed %d variants of %d articles", len(ids), len(articles))
        return self._resource

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "KnowledgeBaseRetriever":
        index = None
        try:
            with model_storage.read_from(resource) as directory:
                rows = json.loads((directory / "rows.json").read_text())
                index = VectorIndex(np.load(directory / "vectors.npy"), rows["ids"], rows["topics"])
        except (ValueError, FileNotFoundError):
            logger.warning("KnowledgeBaseRetriever: no index in the model; answers are disabled.")
        return cls(config, model_storage, resource, index)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _query_vector(self, message: Message):
        # Reuse the featurizer's embedding only when it comes from the same, unchanged base encoder the index
        # was built with; a fine-tuned featurizer's vectors live in another space, so encode again then.
        left = message.get(BASE_EMBEDDING)
        if left is not None and np.shape(left)[-1] == self._index.vectors.shape[1]:
            return np.asarray(left).reshape(-1)
        for features in message.features:
            if (features.attribute == TEXT and features.type == FEATURE_TYPE_SENTENCE and features.is_dense()
                    and any(mark in str(features.origin) for mark in ("SentenceTransformerFeaturizer", BASE_ENCODER_ORIGIN))
                    and features.features.shape[-1] == self._index.vectors.shape[1]):
                return features.features.reshape(-1)
        return encode([message.get(TEXT)], model_name=self._config["model_name"], model_path=self._config["model_path"])[0]

    def process(self, messages: List[Message]) -> List[Message]:
        if self._index is None:
            return messages
        for message in messages:
            if not message.get(TEXT):
                continue
            query = self._query_vector(message)
            ranking = [r["name"] for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") in TOPICS]
            boosts = {}
            if ranking:
                boosts[ranking[0]] = self._config["topic_boost"]
            if len(ranking) > 1:
                boosts[ranking[1]] = self._config["topic_boost"] / 2
            # Searching only the NLU's top topics keeps a query well under a millisecond even at
            # 60,000 pairs (bench/results/kb_retrieval_scale.md); the whole KB is scanned only
            # when the NLU saw no topic at all.
            searched = {topic: self._index.search(query, k=3, topic=topic) for topic in ranking[: int(self._config["per_topic"])]}
            if searched:
                pooled = [
                    Hit(h.article_id, h.topic, h.score + boosts.get(h.topic, 0.0)) for hits in searched.values() for h in hits
                ]
                hits = sorted(pooled, key=lambda h: -h.score)[: int(self._config["top_k"])]
            else:
                hits = self._index.search(query, k=int(self._config["top_k"]))
            by_topic = {topic: [h.as_dict() for h in found] for topic, found in searched.items()}
            message.set(KB_OUTPUT, {"hits": [h.as_dict() for h in hits], "by_topic": by_topic}, add_to_output=True)
        return messages
