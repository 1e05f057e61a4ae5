"""STAND-IN, to be deleted when the Russian and Ukrainian statement rules land in retrieval/statements
(another branch: `extract_statements` reading an article by its `language`).

The cross-lingual acceptance tests need statements from a Russian article. Until the product's extractor reads
Russian, this reads the one construction their articles use, "<role> <First Last> заявил(а), что <clause>.",
and nothing else; an article in any other language goes to the product's extractor unchanged. Ingestors in
those tests are given it as their `statement_extractor` (it runs in the extraction workers, so it lives at
module level).
"""

from __future__ import annotations

import re

from retrieval.statements import extract_statements
from retrieval.store import Article, Statement
from retrieval.text import split_sentences

_SAID = re.compile(
    r"^(?P<role>(?:[А-ЯЁA-Z][\w-]*)(?: [\w-]+)*?) (?P<name>[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+) "
    r"(?:заявил|заявила|сказал|сказала), что (?P<text>.+?)\.$"
)


def extract_with_russian_stand_in(article: Article) -> list[Statement]:
    if article.language not in ("ru", "uk"):
        return extract_statements(article)
    found = []
    for sentence in split_sentences(article.text):
        m = _SAID.match(sentence.strip())
        if m is None:
            continue
        found.append(
            Statement(
                article_id=article.id, speaker=m.group("name"), role=m.group("role"), text=m.group("text"),
                kind="reported", said_on=article.published_at, sentence=sentence.strip(),
            )
        )  # fmt: skip
    return found
