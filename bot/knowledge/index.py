"""Exact cosine search over unit-norm embeddings, with per-article max pooling and topic boost.

Exact search was chosen by measurement (bench/results/kb_retrieval.md): over 60,000 question
variants one float32 matrix-vector product per query stays within the latency target, so an
approximate index would add a dependency and lose recall for no gain.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np


@dataclass(frozen=True)
class Hit:
    article_id: str
    topic: str
    score: float

    def as_dict(self) -> dict:
        return {"id": self.article_id, "topic": self.topic, "score": round(self.score, 4)}


class VectorIndex:
    def __init__(self, vectors: np.ndarray, article_ids: Sequence[str], topics: Sequence[str]):
        if len(vectors) != len(article_ids) or len(vectors) != len(topics):
            raise ValueError("vectors, article_ids and topics must have the same length")
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.article_ids = np.asarray(article_ids)
        self.topics = np.asarray(topics)
        self.topic_names = sorted(set(topics))
        codes = {name: i for i, name in enumerate(self.topic_names)}
        self.topic_codes = np.array([codes[t] for t in topics], dtype=np.int32)
        # Built once: a per-topic copy of the rows, so a topic search never gathers rows per query.
        self._by_topic: Dict[str, tuple] = {}
        for name in self.topic_names:
            rows = np.flatnonzero(self.topic_codes == codes[name])
            self._by_topic[name] = (np.ascontiguousarray(self.vectors[rows]), self.article_ids[rows], self.topics[rows])

    def search(
        self, query: np.ndarray, *, k: int = 5, topic: Optional[str] = None, boosts: Optional[Dict[str, float]] = None
    ) -> List[Hit]:
        """Best `k` articles (one hit per article, its best-matching variant).

        `topic` restricts the search to one topic; `boosts` adds a bonus to articles of some topics.
        """
        if topic is not None:
            if topic not in self._by_topic:
                return []
            matrix, ids, topics = self._by_topic[topic]
            codes = None
        else:
            matrix, ids, topics, codes = self.vectors, self.article_ids, self.topics, self.topic_codes
        scores = matrix @ np.asarray(query, dtype=np.float32).reshape(-1)
        if boosts and codes is not None:
            bonus = np.array([boosts.get(name, 0.0) for name in self.topic_names], dtype=np.float32)
            scores = scores + bonus[codes]
        # Over-fetch so that several variants of one article don't crowd out the others.
        take = min(len(scores), k * 8)
        top = np.argpartition(-scores, take - 1)[:take]
        top = top[np.argsort(-scores[top])]
        hits: List[Hit] = []
        seen = set()
        for i in top:
            if ids[i] in seen:
                continue
            seen.add(ids[i])
            hits.append(Hit(str(ids[i]), str(topics[i]), float(scores[i])))
            if len(hits) == k:
                break
        return hits
