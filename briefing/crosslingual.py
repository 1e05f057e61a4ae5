"""Questions and passages in different scripts: one relevance scale for all of them.

The search cosine is the ensemble's: a quarter MiniLM, which reads English only, three quarters multilingual
E5. An English question and a Russian passage meet on E5 alone, so a relevant Russian passage scores well
below a relevant English one; and MiniLM finds Cyrillic texts alike whatever they say, so a Russian
question scores every Russian passage high. Measured on bench/crosslingual.py's bilingual set, each pair of
scripts gets an offset that puts its cosines on the scale the relevance bar was set for (English questions,
English passages): search results are re-ranked with it, and the gate and the passage margin read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from retrieval.embed import Embedder
from retrieval.search import Searcher
from retrieval.store import Hit, SearchFilters
from retrieval.text import guess_language, script_of

__all__ = [
    "CYRILLIC_LANGUAGES",
    "CrossScale",
    "ScriptOffsets",
    "effective_similarity",
    "language_mark",
    "quoted_original",
    "rerank",
    "search_across_scripts",
]

# Languages written in Cyrillic (ISO 639-1), to tell from a passage's stored language which script it is in.
CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg", "tt", "ba"})


@dataclass(frozen=True, slots=True)
class ScriptOffsets:
    """What a cosine is raised (or lowered) by, per (question script, passage script): "Latn", "Cyrl"."""

    by_pair: dict[tuple[str, str], float] = field(default_factory=dict)

    def of(self, question: str, passage: str) -> float:
        mine, theirs = script_of(question), script_of(passage)
        if mine is None or theirs is None:
            return 0.0
        return self.by_pair.get((mine, theirs), 0.0)

    def __bool__(self) -> bool:
        return any(self.by_pair.values())


NO_OFFSETS = ScriptOffsets()


def effective_similarity(question: str, hit: Hit, offsets: ScriptOffsets = NO_OFFSETS) -> float | None:
    """The hit's cosine on the scale the relevance bar is set for."""
    if hit.similarity is None:
        return None
    return hit.similarity + offsets.of(question, hit.text) if offsets else hit.similarity


def rerank(question: str, hits: list[Hit], offsets: ScriptOffsets, k: int, per_article: int = 3) -> list[Hit]:
    """The best `k` hits (at most `per_article` of one article) once each score carries its script pair's
    offset (search ranks on the raw cosine, where a passage in another script than the question loses to
    passages in its own)."""
    if not offsets:
        return hits[:k]

    def score(hit: Hit) -> float:
        # A keyword-only hit has no cosine to put on another scale.
        return hit.score + (offsets.of(question, hit.text) if hit.similarity is not None else 0.0)

    out: list[Hit] = []
    taken: dict[int, int] = {}
    for hit in sorted(hits, key=score, reverse=True):
        if taken.get(hit.article_id, 0) < per_article and len(out) < k:
            taken[hit.article_id] = taken.get(hit.article_id, 0) + 1
            out.append(hit)
    return out


class _MultilingualQuery(Embedder):
    """The ensemble with its first model's part of the query vector left out: a query that ranks passages on
    the multilingual model (E5) alone. Passages keep their stored vectors. Made per question: it keeps the
    full query vector it was asked for (`full`), to put what it finds back on the ensemble's scale."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.id, self.dim, self.max_tokens = inner.id, inner.dim, inner.max_tokens
        self.fusion_bm25_weight = inner.fusion_bm25_weight
        self.left_out = inner.sentence_model().dim
        self.full: np.ndarray | None = None

    async def embed(self, texts: list[str]) -> np.ndarray:
        return await self.inner.embed(texts)

    async def embed_queries(self, texts: list[str]) -> np.ndarray:
        full = await self.inner.embed_queries(texts)
        self.full = full[0] if len(full) else None
        kept = full.copy()
        kept[:, : self.left_out] = 0.0
        norms = np.linalg.norm(kept, axis=1, keepdims=True)
        return kept / np.where(norms > 0, norms, 1.0)


async def search_across_scripts(
    searcher: Searcher,
    question: str,
    *,
    k: int,
    pool: int,
    filters: SearchFilters | None,
    offsets: ScriptOffsets,
    other_script_stored: bool,
) -> list[Hit]:
    """Search, then re-rank on one scale across scripts. When passages in another script than the question
    are stored, a second search ranks on the multilingual model alone: on the ensemble, MiniLM finds every
    Russian passage close to a Russian question, and an English passage that answers it never reaches the
    candidates. What only the second search found is put back on the ensemble's scale (its stored vector
    against the full query vector) before the two are re-ranked together."""
    hits = await searcher.search(question, k=pool, filters=filters, per_article=3)
    multilingual = searcher.embedder.sentence_model() is not searcher.embedder
    if offsets and other_script_stored and multilingual:
        view = _MultilingualQuery(searcher.embedder)
        second = Searcher(searcher.library, searcher.index, view, searcher.config)
        known = {h.chunk_id for h in hits}
        found = [h for h in await second.search(question, k=pool, filters=filters, per_article=3)
                 if h.chunk_id not in known and h.similarity is not None]  # fmt: skip
        vectors = (
            await searcher.index.vectors([h.chunk_id for h in found])
            if found and view.full is not None
            else {}
        )
        for h in found:
            vector = vectors.get(h.chunk_id)
            if vector is None or view.full is None:
                continue
            similarity = float(np.dot(vector, view.full))
            h.score, h.similarity = similarity + (h.score - (h.similarity or 0.0)), similarity
            hits.append(h)
    return rerank(question, hits, offsets, k)


@dataclass(frozen=True, slots=True)
class CrossScale:
    """How a passage in another script than the question is scored sentence by sentence. The sentence model
    (MiniLM) reads English only, so its cosine of an English question and a Russian sentence says nothing;
    the passage's search cosine does. On the scale of the two relevance bars and passage margins (search's,
    and the sentence model's, both calibrated on the same questions), a passage at search's bar counts as a
    sentence at the sentence model's bar, and a margin below it as a margin below."""

    offsets: ScriptOffsets
    bar: float
    margin: float
    sentence_bar: float
    sentence_margin: float

    def crosses(self, question: str, text: str) -> bool:
        mine, theirs = script_of(question), script_of(text)
        return bool(self.offsets) and mine is not None and theirs is not None and mine != theirs

    def sentence_cosine(self, question: str, hit: Hit) -> float:
        similarity = effective_similarity(question, hit, self.offsets)
        if similarity is None:
            return 0.0
        return self.sentence_bar + (similarity - self.bar) * self.sentence_margin / self.margin


def language_mark(question: str, hit: Hit, text: str) -> str:
    """ "[ru] " before a sentence shown in another language than the question's, else ""."""
    theirs = hit.language or guess_language(text)
    mine = guess_language(question)
    return f"[{theirs}] " if theirs and mine and theirs != mine else ""


_SCRIPT_RUNS = {
    "Cyrl": re.compile(r"[\u0400-\u04FF][\u0400-\u04FF\s'’ʼ,;:-]*[\u0400-\u04FF]"),
    "Latn": re.compile(r"[A-Za-z][A-Za-z\s'’,;:-]*[A-Za-z]"),
}
# A quoted original must be this long to count as the passage's words rather than a name or a term.
ORIGINAL_WORDS = 4


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def quoted_original(claim: str, sentences: dict[int, list[str]]) -> tuple[int, int] | None:
    """Where a claim written in one script quotes a cited passage in another ("said the status is closed
    («статус закрыт окончательно и бесповоротно»)"): (passage number, sentence index) of the first cited
    passage holding a run of at least ORIGINAL_WORDS of the claim's words verbatim, in that passage's
    script, when the claim has words of the other script besides. None otherwise."""
    for n, said in sentences.items():
        script = script_of(" ".join(said))
        if script not in _SCRIPT_RUNS:
            continue
        other = "Latn" if script == "Cyrl" else "Cyrl"
        besides = _plain(" ".join(_SCRIPT_RUNS[other].findall(_SCRIPT_RUNS[script].sub(" ", claim))))
        if len(besides.split()) < 3:
            continue
        for run in _SCRIPT_RUNS[script].findall(claim):
            words = _plain(run)
            if len(words.split()) < ORIGINAL_WORDS:
                continue
            for i, sentence in enumerate(said):
                if f" {words} " in f" {_plain(sentence)} ":
                    return n, i
    return None
