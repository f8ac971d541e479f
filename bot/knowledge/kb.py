"""Knowledge-base articles: load `nlu_data/kb/*.yml` and validate every field.

Used by the Rasa retriever component at training time (a bad file stops the build with the
file and field named), by the action server to render answers, and by the tests.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

import yaml

from bot.policy.decision import TOPICS

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
URL_PATTERN = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/[A-Za-z0-9._~%/-]*)?$")
MAX_ANSWER_WORDS = 200
REQUIRED_FIELDS = ("id", "topic", "title", "questions", "answer", "next_steps", "links", "last_reviewed")


class KnowledgeBaseError(ValueError):
    """An article file breaks the schema; the message names the file and the field."""


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Article:
    id: str
    topic: str
    title: str
    questions: Tuple[str, ...]
    answer: str
    next_steps: Tuple[str, ...]
    links: Tuple[Link, ...]
    last_reviewed: dt.date
    source_file: str = field(default="", compare=False)


def _fail(path: Path, where: str, problem: str) -> None:
    raise KnowledgeBaseError(f"{path}: {where}: {problem}")


def _string_list(path: Path, where: str, value, *, minimum: int) -> Tuple[str, ...]:
    if not isinstance(value, list) or len(value) < minimum:
        _fail(path, where, f"must be a list of at least {minimum} non-empty strings")
    items = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            _fail(path, f"{where}[{i}]", "must be a non-empty string")
        items.append(item.strip())
    return tuple(items)


def parse_article(path: Path, index: int, raw) -> Article:
    where = f"articles[{index}]"
    if not isinstance(raw, dict):
        _fail(path, where, "must be a mapping")
    for name in REQUIRED_FIELDS:
        if name not in raw or raw[name] in (None, "", []):
            _fail(path, f"{where}.{name}", "missing field")
    article_id = raw["id"]
    if not isinstance(article_id, str) or not ID_PATTERN.match(article_id):
        _fail(path, f"{where}.id", "must be lowercase letters, digits and dashes")
    where = f"article {article_id}"
    topic = raw["topic"]
    if topic not in TOPICS:
        _fail(path, f"{where}.topic", f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
    if not isinstance(raw["title"], str):
        _fail(path, f"{where}.title", "must be a string")
    questions = _string_list(path, f"{where}.questions", raw["questions"], minimum=3)
    answer = raw["answer"]
    if not isinstance(answer, str):
        _fail(path, f"{where}.answer", "must be a string")
    if len(answer.split()) > MAX_ANSWER_WORDS:
        _fail(path, f"{where}.answer", f"has {len(answer.split())} words; at most {MAX_ANSWER_WORDS}")
    if "<" in answer and ">" in answer:
        _fail(path, f"{where}.answer", "must be plain text, not HTML")
    next_steps = _string_list(path, f"{where}.next_steps", raw["next_steps"], minimum=1)
    links_raw = raw["links"]
    if not isinstance(links_raw, list) or not 1 <= len(links_raw) <= 3:
        _fail(path, f"{where}.links", "must list 1 to 3 links")
    links = []
    for i, link in enumerate(links_raw):
        if not isinstance(link, dict) or not isinstance(link.get("title"), str) or not isinstance(link.get("url"), str):
            _fail(path, f"{where}.links[{i}]", "needs a title and a url")
        if not URL_PATTERN.match(link["url"]):
            _fail(path, f"{where}.links[{i}].url", f"{link['url']!r} is not a plain https URL")
        links.append(Link(title=link["title"].strip(), url=link["url"]))
    reviewed = raw["last_reviewed"]
    if isinstance(reviewed, str):
        try:
            reviewed = dt.date.fromisoformat(reviewed)
        except ValueError:
            _fail(path, f"{where}.last_reviewed", "must be a date YYYY-MM-DD")
    if not isinstance(reviewed, dt.date):
        _fail(path, f"{where}.last_reviewed", "must be a date YYYY-MM-DD")
    return Article(
        id=article_id, topic=topic, title=raw["title"].strip(), questions=questions, answer=answer.strip(),
        next_steps=next_steps, links=tuple(links), last_reviewed=reviewed, source_file=str(path),
    )


def load_file(path: Path) -> List[Article]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        _fail(path, "articles", "missing field (the file must have a top-level 'articles' list)")
    return [parse_article(path, i, raw) for i, raw in enumerate(data["articles"])]


def load_knowledge_base(directory: Path) -> Dict[str, Article]:
    """All articles of a directory by id; duplicate ids across files are an error."""
    directory = Path(directory)
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    if not files:
        raise KnowledgeBaseError(f"{directory}: no knowledge-base files (*.yml) found")
    articles: Dict[str, Article] = {}
    for path in files:
        for article in load_file(path):
            if article.id in articles:
                _fail(path, f"article {article.id}.id", f"duplicate id (also in {articles[article.id].source_file})")
            articles[article.id] = article
    return articles


def retrieval_texts(articles: Iterable[Article]) -> List[Tuple[str, str]]:
    """(article id, text) pairs that are embedded for retrieval: the title and every question."""
    pairs = []
    for article in articles:
        pairs.append((article.id, article.title))
        pairs.extend((article.id, q) for q in article.questions)
    return pairs
