"""The action server's copy of the knowledge base, loaded once at import."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

from bot.knowledge.kb import Article, load_knowledge_base

REPO_ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def articles() -> Dict[str, Article]:
    return load_knowledge_base(Path(os.environ.get("LEGALAID_KB_DIR", REPO_ROOT / "nlu_data" / "kb")))


def article(article_id: Optional[str]) -> Optional[Article]:
    return articles().get(article_id) if article_id else None


def render_answer(item: Article) -> str:
    steps = "\n".join(f"• {step}" for step in item.next_steps)
    return f"{item.title}\n\n{item.answer}\n\nNext steps:\n{steps}"
