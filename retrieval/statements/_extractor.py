"""Attributed statements (who said what, and when) found in article text by rules: no model, no network.

Precision comes first: a statement shown under the wrong speaker or date misleads more than a missed one does,
so every statement needs a speech verb (or "according to", or a colon after a name) and a speaker that is
named,
described ("a U.S. official", kept as an unnamed source), or resolved to someone named earlier in the article
("he", "the agency", "the spokesman", "the statement"). Names are resolved in reading order: a surname never
takes a full name that only appears later. Quotation marks are masked while the attribution around them is
parsed, so words inside a quote never become speakers or verbs.

This module is the public surface; the rules live in private siblings: `_sentences` (prose paragraphs, whole
sentences, quote masking), `_speaker_words` and `_names` (the words names are made of), `_speakers` (the noun
phrase that speaks), `_discourse` (what "he", "the agency" or a surname refers to), `_register` (names
remembered in reading order), `_speech_verbs` (attribution verbs and the phrases around them), `_clauses`
(where a statement's words stop), `_said_dates` (when), and `_subjects`, `_quotes` and `_sentence_reader` (the
statements of one sentence).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from retrieval.store import Article, Statement, speaker_key
from retrieval.text import paragraphs

from ._clauses import intro_end
from ._discourse import Speaker, State
from ._register import register
from ._said_dates import latest_year, page_date
from ._sentence_reader import SentenceReader
from ._sentences import is_prose, mask, statement_sentences
from ._slavic import cyrillic_language, extract_cyrillic
from ._speech_verbs import PARTICIPLE_POSITION, PARTICIPLE_SAY, POSITION

__all__ = ["EXTRACTOR_VERSION", "article_sentences", "extract_statements", "opens_with_verb", "reported"]

# Bump whenever the rules change what they extract: stored libraries re-extract their statements when the
# version they recorded differs (see Ingestor.reextract_statements).
EXTRACTOR_VERSION = "5"

_MAX_SENTENCE_WORDS = 200


def extract_statements(article: Article, language: str | None = None) -> list[Statement]:
    """Direct quotes and reported speech in the article, each with its speaker, role and date. Russian and
    Ukrainian articles are read by their own rules: `language` (or else the article's) says which, and when
    neither is known the script decides (`cyrillic_language`)."""
    published = article.published_at or page_date(article.text)
    if published is not None:
        published = published.astimezone(UTC) if published.tzinfo else published.replace(tzinfo=UTC)
        published = published.replace(hour=0, minute=0, second=0, microsecond=0)
    # Without a date of its own, the latest year the article names completes "said April 19" (weekdays and
    # "yesterday" stay unresolved: they need the day, not the year).
    year = None if published else latest_year(article.text, (article.added_at or datetime.now(UTC)).year)
    cyrillic = cyrillic_language(article.text, language or article.language)
    if cyrillic is not None:
        return extract_cyrillic(article, cyrillic, published, year)
    state = State(published=published, year=year)
    prose = [p for p in paragraphs(article.text) if is_prose(p, article.title)]
    found: list[Statement] = []
    seen: set[tuple[str, str]] = set()
    previous: Speaker | None = None
    for number, paragraph in enumerate(prose):
        state.paragraph = number
        # A "sentence" of hundreds of words is extraction debris (a list or menu run together): skipping it
        # keeps the work per article linear and loses no real attribution.
        for sentence in statement_sentences(paragraph):
            if not sentence.strip() or len(sentence.split()) > _MAX_SENTENCE_WORDS:
                continue
            state.sentence += 1
            masked = mask(sentence)
            register(masked, state, intro_end(masked))
            items = SentenceReader(sentence, state).read(previous)
            previous = items[-1][0] if items and items[-1][2] == "quote" else None
            for speaker, text, kind, said_on in items:
                key = (speaker_key(speaker.name), _fingerprint(text))
                if key in seen:
                    continue
                seen.add(key)
                found.append(
                    Statement(
                        article_id=article.id,
                        speaker=speaker.name,
                        role=speaker.role,
                        text=text,
                        kind=kind,
                        said_on=said_on,
                        sentence=" ".join(sentence.split()),
                        unnamed=speaker.unnamed,
                    )
                )
    return found


def article_sentences(article: Article) -> list[str]:
    """The article's prose sentences in reading order, whitespace collapsed, as the extractor reads them: a
    statement's `sentence` is one of them, so a reader of the statement can find the sentences around it."""
    out: list[str] = []
    for paragraph in paragraphs(article.text):
        if is_prose(paragraph, article.title):
            out.extend(" ".join(s.split()) for s in statement_sentences(paragraph) if s.strip())
    return out


_PAST = {
    "adding": "added", "saying": "said", "stating": "stated", "noting": "noted", "arguing": "argued",
    "insisting": "insisted", "stressing": "stressed", "claiming": "claimed", "explaining": "explained",
    "warning": "warned", "accusing": "accused", "urging": "urged", "calling": "called", "writing": "wrote",
    "telling": "told", "announcing": "announced", "declaring": "declared", "asserting": "asserted",
    "acknowledging": "acknowledged", "admitting": "admitted", "predicting": "predicted",
    "suggesting": "suggested", "emphasizing": "emphasized", "citing": "cited", "vowing": "vowed",
    "pledging": "pledged", "promising": "promised", "blaming": "blamed", "underscoring": "underscored",
}  # fmt: skip


def reported(text: str) -> str:
    """A statement that opens with its own verb, as a line of a timeline: a participle kept from "…, accusing
    France of …" reads as "accused France of …", like the statements whose verb was finite."""
    first, _, rest = text.partition(" ")
    past = _PAST.get(first)
    return f"{past} {rest}" if past and rest else text


def opens_with_verb(text: str) -> bool:
    """Whether a reported statement starts with its own verb ("rejected the idea …") rather than being the
    bare clause of "said" ("Russia would never …"), so a reader knows whether to put "said" before it."""
    return bool(re.match(rf"(?:{POSITION}|{PARTICIPLE_SAY}|{PARTICIPLE_POSITION})\b", text))


def _fingerprint(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
