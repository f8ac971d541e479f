"""The knowledge base passes its schema, and the schema check rejects each kind of broken article
(missing field, bad link, duplicate id, unknown topic) naming the file and the field."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.knowledge.kb import TOPICS, KnowledgeBaseError, load_knowledge_base

REPO = Path(__file__).resolve().parents[2]
KB = REPO / "nlu_data" / "kb"
GOOD = {
    "id": "housing-test-article",
    "topic": "housing",
    "title": "A title",
    "questions": ["one way to ask", "another way to ask", "a third way to ask"],
    "answer": "A short plain answer. Rules differ by state.",
    "next_steps": ["Do this first."],
    "links": [{"title": "LawHelp", "url": "https://www.lawhelp.org/"}],
    "last_reviewed": "2026-11-26",
}


def test_the_real_knowledge_base_is_valid_and_covers_every_topic():
    articles = load_knowledge_base(KB)
    per_topic = Counter(a.topic for a in articles.values())
    assert set(per_topic) == set(TOPICS)
    assert min(per_topic.values()) >= 8 and len(articles) >= 128
    for article in articles.values():
        assert len(article.answer.split()) <= 200
        assert 1 <= len(article.links) <= 3 and all(link.url.startswith("https://") for link in article.links)


def test_every_paraphrase_points_to_an_existing_article():
    articles = load_knowledge_base(KB)
    for path in sorted((REPO / "nlu_data" / "kb_paraphrases").glob("*.yml")):
        for item in yaml.safe_load(path.read_text())["paraphrases"]:
            assert item["article_id"] in articles, (path.name, item["article_id"])


def test_long_posts_are_held_out_posts_labelled_with_articles_of_their_topic():
    # bench/kb_retrieval.py scores the retriever on these; a post that is not in the held-out set, or a label
    # naming a missing article or one of another topic, would make that score meaningless.
    articles = load_knowledge_base(KB)
    held_out = set()
    for path in sorted((REPO / "nlu_data" / "test").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            held_out.update(line.strip()[2:].strip() for line in block["examples"].splitlines()
                            if line.strip().startswith("- "))
    posts = yaml.safe_load((REPO / "nlu_data" / "kb_long_posts.yml").read_text())["posts"]
    assert len(posts) >= 48 and {post["topic"] for post in posts} == set(TOPICS)
    for post in posts:
        assert post["text"] in held_out and len(post["text"].split()) >= 50, post["text"][:60]
        assert all(articles[a].topic == post["topic"] for a in post["articles"]), post


def write(tmp_path, *articles, name="housing.yml"):
    (tmp_path / name).write_text(yaml.safe_dump({"topic": "housing", "articles": list(articles)}))
    return tmp_path


@pytest.mark.parametrize(
    "change, message",
    [
        ({"answer": None}, r"housing-test-article|articles\[0\]\.answer: missing field"),
        ({"topic": "rent"}, r"article housing-test-article\.topic: unknown topic 'rent'"),
        ({"links": [{"title": "x", "url": "http://example.com/"}]}, r"links\[0\]\.url: .* not a plain https URL"),
        ({"links": [{"title": "x", "url": "https://www.lawhelp.org/<script>"}]}, r"links\[0\]\.url"),
        ({"links": []}, r"links: missing field"),
        ({"questions": ["only one"]}, r"questions: must be a list of at least 3"),
        ({"last_reviewed": "yesterday"}, r"last_reviewed: must be a date"),
        ({"answer": "word " * 201}, r"answer: has 201 words"),
        ({"id": "Bad Id!"}, r"\.id: must be lowercase"),
    ],
)
def test_schema_rejects_broken_articles_naming_file_and_field(tmp_path, change, message):
    article = {**GOOD, **change}
    if change.get("answer", "") is None:
        del article["answer"]
    with pytest.raises(KnowledgeBaseError, match=message) as error:
        load_knowledge_base(write(tmp_path, article))
    assert "housing.yml" in str(error.value)


def test_schema_rejects_a_duplicate_id_across_files(tmp_path):
    write(tmp_path, GOOD, name="housing.yml")
    write(tmp_path, GOOD, name="more.yml")
    with pytest.raises(KnowledgeBaseError, match="duplicate id"):
        load_knowledge_base(tmp_path)


def test_invalid_yaml_is_reported_with_the_file(tmp_path):
    (tmp_path / "broken.yml").write_text("articles: [\n")
    with pytest.raises(KnowledgeBaseError, match="broken.yml: not valid YAML"):
        load_knowledge_base(tmp_path)
