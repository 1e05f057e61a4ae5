"""Writers turn numbered passages into a short briefing with `[n]` markers. The offline one needs no network.

The offline writer is extractive: every sentence it writes is a sentence of a passage, lightly trimmed for
flow (a leading "But", a pronoun whose person is named just before), so it can never add a fact.
"""

from __future__ import annotations

import functools
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from briefing.citations import (
    Draft,
    Passage,
    SentenceEmbeddings,
    attach,
    content_words,
    coverage,
    text_sentences,
)
from briefing.crosslingual import CrossScale, language_mark
from retrieval.embed import Embedder
from retrieval.extract import addresses_a_model
from retrieval.text import format_date

__all__ = ["Draft", "OfflineWriter", "Passage", "Writer"]


class Writer(ABC):
    """One backend that writes a draft briefing from numbered passages."""

    name: str = "writer"

    @abstractmethod
    async def write(self, question: str, passages: list[Passage]) -> Draft:
        """Text whose claims carry `[n]` markers pointing at `passages`."""

    async def summarise_stance(self, actor: str, topic: str | None, passages: list[Passage]) -> Draft | None:
        """Two or three sentences on the position the statements in `passages` show, with `[n]` markers;
        None when this writer does not summarise (the offline one: the timeline speaks for itself)."""
        return None

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        pass


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
# What a sentence may state of its own date. A weekday or "yesterday" is not enough on its own: it counts
# from the article's date, which a reader of a briefing mixing several days does not have.
_DAY_STATED = re.compile(rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\d{{1,2}}\s+(?:{_MONTHS})\b)")
_YEAR_STATED = re.compile(r"\b(?:19|20)\d\d\b")
_CONNECTOR = re.compile(
    r"^(?:But|And|So|However,|Meanwhile,|Moreover,|Furthermore,|Also,|Nevertheless,|In addition,|Still,)\s+"
)
_PERSONAL = re.compile(r"^(He|She|His|Her)\b")
_DANGLING = re.compile(
    r"^(?:It|Its|They|Their|Them|This|That|These|Those|Such|Both|The two|Another|"
    r"The (?:statement|remarks?|comments?|move|decision|announcement|proposal|plan|idea|offer|step)s?)\b"
)
_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:[A-Z][\w'’-]+|de|van|von|bin|al))*")
_NOT_NAME_START = frozenset(
    "The A An In On At For But And If When As After Before During While This That".split()
)
_FURNITURE = re.compile(
    r"\b(?:advertisement|read more|read next|subscribe|sign up|click here|follow (?:us|our)|join us|"
    r"newsletter|all rights reserved|cookie)\b",
    re.IGNORECASE,
)
# What someone thinks or said is best told by sentences that attribute a statement.
_POSITION_QUESTION = re.compile(
    r"\b(?:stance|position|view|views|say|said|think|thinks|react|reaction|respond|response|want|wants|demand|"
    r"demands|opinion|stand|stands|attitude)\b",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|stated|insisted|argued|warned|added|declared|called|rejected|dismissed|ruled out|"
    r"according to)\b|[\"“”]",
)
# Sentence score = weighted relevance signals (see OfflineWriter). On the even half of bench/briefing.py,
# dropping the passage term, doubling the lexical or the cosine weight, or 3/7 sentences instead of 4-6 all
# kept "answer in cited passages" within 0.3 points of these settings (0.563): retrieval is the limit there.
W_COSINE, W_LEXICAL, W_TITLE, W_PASSAGE = 0.5, 0.2, 0.1, 0.2
W_LEAD, W_ATTRIBUTION = 0.04, 0.04
_ENDS_SENTENCE = re.compile(r"[.!]['\"”’)\]]*$")


@dataclass(slots=True)
class _Candidate:
    passage: Passage
    index: int
    text: str
    vector: np.ndarray
    score: float = 0.0
    cited: list[int] = field(default_factory=list)

    @property
    def date(self) -> datetime | None:
        return self.passage.hit.published

    @property
    def is_lead(self) -> bool:
        """The article's first sentence (first sentence of its first chunk): news leads state the event."""
        return self.index == 0 and self.passage.hit.chunk_id.endswith(":0")


class OfflineWriter(Writer):
    """Picks the passage sentences that best answer the question and arranges them as a briefing.

    Relevance is the cosine of question and sentence (the same embedder as search) plus the share of the
    question's content words the sentence contains. The same fact from several outlets becomes one sentence
    citing all of them. The gist comes first, the rest in date order (undated last).
    """

    name = "offline"

    def __init__(
        self,
        embedder: Embedder | SentenceEmbeddings,
        *,
        max_sentences: int = 6,
        min_sentences: int = 4,
        min_score: float = 0.3,
        relative: float = 0.65,
        floor: float = 0.2,
        duplicate_cosine: float = 0.86,
        redundancy: float = 0.25,
        cross: CrossScale | None = None,
    ) -> None:
        self.embeddings = (
            embedder if isinstance(embedder, SentenceEmbeddings) else SentenceEmbeddings(embedder)
        )
        self.max_sentences = max_sentences
        self.min_sentences = min_sentences
        self.min_score = min_score
        self.relative = relative
        self.floor = floor
        self.duplicate_cosine = duplicate_cosine
        self.redundancy = redundancy
        # Without it (MiniLM alone, which cannot read across scripts) every sentence is scored alike.
        self.cross = cross

    async def write(self, question: str, passages: list[Passage]) -> Draft:
        candidates = await self._candidates(question, passages)
        if not candidates or candidates[0].score < self.floor:
            return Draft("", writer=self.name, found=False)
        chosen = self._select(candidates)
        return Draft(self._compose(chosen, passages, question), writer=self.name)

    # ---- choosing sentences -----------------------------------------------------------------------------

    async def _candidates(self, question: str, passages: list[Passage]) -> list[_Candidate]:
        seen: dict[str, tuple[Passage, int]] = {}
        extra: dict[str, list[int]] = {}
        for p in passages:
            for i, sentence in enumerate(text_sentences(p.hit.text)):
                if not _usable(sentence):
                    continue
                if sentence in seen:
                    # Overlapping chunks repeat sentences; a syndicated copy in another article adds a source.
                    if seen[sentence][0].hit.article_id != p.hit.article_id:
                        extra.setdefault(sentence, []).append(p.n)
                    continue
                seen[sentence] = (p, i)
        if not seen:
            return []
        await self.embeddings.passages([p.hit for p in passages])
        texts = list(seen)
        asked = await self.embeddings.own(question)
        vectors = await self.embeddings.vectors(texts)
        qwords = content_words(question)
        wants_position = bool(_POSITION_QUESTION.search(question))
        out = []
        for text, vector in zip(texts, vectors, strict=True):
            p, i = seen[text]
            cosine = float(vector @ asked)
            if self.cross is not None and self.cross.crosses(question, text):
                cosine = self.cross.sentence_cosine(question, p.hit)
            score = (
                W_COSINE * cosine
                + W_LEXICAL * coverage(qwords, content_words(text))
                + W_TITLE * coverage(qwords, content_words(p.hit.title))
                + W_PASSAGE * (p.hit.similarity or 0.0)
                + (W_LEAD if i == 0 and p.hit.chunk_id.endswith(":0") else 0.0)
                + (W_ATTRIBUTION if wants_position and _ATTRIBUTION.search(text) else 0.0)
            )
            out.append(_Candidate(p, i, text, vector, score, [p.n, *extra.get(text, [])]))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    def _select(self, candidates: list[_Candidate]) -> list[_Candidate]:
        """Greedy selection by relevance minus redundancy with what is already chosen (MMR).

        A candidate that restates a chosen sentence is not a new sentence but another source for it.
        """
        bar = max(self.min_score, candidates[0].score * self.relative)
        pool = [c for c in candidates if c.score >= self.floor]
        chosen: list[_Candidate] = []
        while pool and len(chosen) < self.max_sentences:

            def value(c: _Candidate) -> float:
                overlap = max((float(c.vector @ s.vector) for s in chosen), default=0.0)
                return c.score - self.redundancy * overlap

            best = max(pool, key=value)
            pool.remove(best)
            twin = next((c for c in chosen if _same_fact(c, best, self.duplicate_cosine)), None)
            if twin is not None:
                twin.cited.extend(n for n in best.cited if n not in twin.cited)
                continue
            if best.score < bar and len(chosen) >= self.min_sentences:
                break
            chosen.append(best)
        return chosen

    # ---- writing ----------------------------------------------------------------------------------------

    def _compose(self, chosen: list[_Candidate], passages: list[Passage], question: str = "") -> str:
        # The gist is the best sentence that can stand alone: a news lead beats a bare quote of similar score.
        gist = max(chosen, key=_gist_score)
        rest = [c for c in chosen if c is not gist]
        rest.sort(key=lambda c: (c.date is None, c.date or datetime.min, c.passage.n, c.index))
        selected = {(c.passage.n, c.index) for c in chosen}
        sentences: dict[int, list[str]] = {p.n: text_sentences(p.hit.text) for p in passages}
        common = _common_words(passages)

        ordered = [gist, *rest]
        texts: dict[int, str] = {}
        for pos, cand in enumerate(ordered):
            prev = ordered[pos - 1] if pos else None
            follows = (
                prev is not None and prev is not gist and prev.passage.n == cand.passage.n
                and (cand.passage.n, cand.index - 1) in selected and prev.index == cand.index - 1
            )  # fmt: skip
            text = _smooth(cand, sentences[cand.passage.n], follows)
            if text is not None:
                # A sentence in another language than the question's is shown as written, marked "[ru]".
                texts[id(cand)] = language_mark(question, cand.passage.hit, text) + text
        gist_text = texts.get(id(gist))
        kept = [c for c in rest if id(c) in texts]
        if gist_text is None:
            # The best sentence leans on context it cannot carry alone: the next one leads instead.
            if not kept:
                return attach(gist.text, gist.cited)
            gist, gist_text = kept[0], texts[id(kept[0])]
            kept = kept[1:]

        # Dates are woven in only when the sentences span several days, and only where the day changes.
        several_days = len({c.date.date() for c in [gist, *kept] if c.date is not None}) > 1
        several_years = len({c.date.year for c in [gist, *kept] if c.date is not None}) > 1
        last: object = None
        out: list[str] = []
        for group in [[gist], *_paragraphs(kept)]:
            parts = []
            for cand in group:
                text = gist_text if cand is gist else texts[id(cand)]
                day = cand.date.date() if cand.date else None
                if (
                    several_days and cand.date is not None and day != last
                    and not _states_its_date(text, several_years)
                ):  # fmt: skip
                    text = _with_date(text, cand.date, common)
                parts.append(attach(text, cand.cited))
                last = day
            out.append(" ".join(parts))
        return "\n\n".join(out)


def _states_its_date(text: str, several_years: bool) -> bool:
    """Whether a reader can tell when without the article's date: a year; or a day and month, unless the
    briefing spans several years ("on June 14" next to passages from 2022 and 2025)."""
    return bool(_YEAR_STATED.search(text) or (not several_years and _DAY_STATED.search(text)))


def _usable(sentence: str) -> bool:
    words = sentence.split()
    if not 6 <= len(words) <= 70:
        return False
    if not _ENDS_SENTENCE.search(sentence) or _FURNITURE.search(sentence):
        return False
    first = sentence.lstrip("\"'“‘(")[:1]
    if not (first and (first.isupper() or first.isdigit())):
        return False
    # Passages stored before the injection filter knew a phrasing may still hold one: never quote it.
    return not _addresses_a_model(sentence)


# The same passages come back answer after answer, and the scan for an address to a model was the largest
# part of weighing their sentences; it depends on the sentence alone.
@functools.lru_cache(maxsize=8192)
def _addresses_a_model(sentence: str) -> bool:
    return addresses_a_model(sentence)


def _same_fact(a: _Candidate, b: _Candidate, threshold: float) -> bool:
    if float(a.vector @ b.vector) >= threshold:
        return True
    wa, wb = content_words(a.text), content_words(b.text)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.6


def _smooth(cand: _Candidate, context: list[str], follows_predecessor: bool) -> str | None:
    """Trim a leading connector; resolve or refuse a sentence-initial pronoun. None = leave it out."""
    text = _CONNECTOR.sub("", cand.text)
    if text != cand.text:
        text = text[:1].upper() + text[1:]
    if follows_predecessor:
        return text
    personal = _PERSONAL.match(text)
    if personal:
        name = _antecedent(context[max(0, cand.index - 2) : cand.index])
        if name is None:
            return None
        word = personal.group(1)
        return (name + "’s" if word in ("His", "Her") else name) + text[len(word) :]
    if _DANGLING.match(text):
        return None
    return text


def _antecedent(previous: list[str]) -> str | None:
    """The one person named in the nearest preceding sentence that names anyone; None when unclear."""
    for sentence in reversed(previous):
        names = set()
        for run in _NAME_RUN.findall(sentence):
            words = run.split()
            if len(words) >= 2 and words[0] not in _NOT_NAME_START:
                names.add(" ".join(words[-2:]))
        if names:
            return names.pop() if len(names) == 1 else None
    return None


def _paragraphs(cands: list[_Candidate], limit: int = 3) -> list[list[_Candidate]]:
    """Sentences of one day form a paragraph; a lone sentence joins a neighbour; at most `limit` of them."""
    groups: list[list[_Candidate]] = []
    for cand in cands:
        day = cand.date.date() if cand.date else None
        if groups and (groups[-1][-1].date.date() if groups[-1][-1].date else None) == day:
            groups[-1].append(cand)
        else:
            groups.append([cand])
    while len(groups) > 1 and (len(groups) > limit or min(len(g) for g in groups) == 1):
        i = min(range(len(groups) - 1), key=lambda k: len(groups[k]) + len(groups[k + 1]))
        groups[i : i + 2] = [groups[i] + groups[i + 1]]
    return groups


def _gist_score(cand: _Candidate) -> float:
    standalone = not (_PERSONAL.match(cand.text) or _DANGLING.match(cand.text) or _CONNECTOR.match(cand.text))
    quote_first = cand.text[:1] in "\"“‘'"
    return (
        cand.score
        + (0.03 if cand.is_lead else 0.0)
        + (0.03 if standalone else -0.2)
        - (0.1 if quote_first else 0.0)
    )


def _common_words(passages: list[Passage]) -> set[str]:
    """Words the passages use in lower case: a capitalised sentence opener among them is not a name."""
    return {w for p in passages for w in re.findall(r"\b[a-z][a-z'’-]*\b", p.hit.text)}


def _with_date(text: str, when: datetime, common: set[str]) -> str:
    first = re.match(r"[A-Z][a-z'’-]*", text)
    if first and first.group(0).lower() in common and first.group(0) != "I":
        text = text[0].lower() + text[1:]
    return f"On {format_date(when)}, {text}"
