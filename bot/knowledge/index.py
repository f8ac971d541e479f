"""Exact cosine search over unit-norm embeddings, with per-article max pooling and topic boost.

Exact search was chosen by measurement (bench/results/kb_retrieval_scale.md): over 60,000
question variants a float32 matrix-vector product stays within the latency target, so an
approximate index would add a dependency and recall loss for no gain.
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
        self._topic_rows: Dict[str, np.ndarray] = {t: np.flatnonzero(self.topics == t) for t in set(topics)}

    def search(
        self, query: np.ndarray, *, k: int = 5, topic: Optional[str] = None, boosts: Optional[Dict[str, float]] = None
    ) -> List[Hit]:
        """Best `k` articles (one hit per article, its best-matching variant).

        `topic` restricts the search to one topic; `boosts` adds a bonus to articles of some topics.
        """
        rows = self._topic_rows.get(topic, np.empty(0, dtype=int)) if topic else None
        matrix = self.vectors if rows is None else self.vectors[rows]
        if len(matrix) == 0:
            return []
        scores = matrix @ np.asarray(query, dtype=np.float32).reshape(-1)
        ids = self.article_ids if rows is None else self.article_ids[rows]
        topics = self.topics if rows is None else self.topics[rows]
        if boosts:
            scores = scores + np.array([boosts.get(t, 0.0) for t in topics], dtype=np.float32)
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
