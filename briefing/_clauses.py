"""Clause-by-clause support: the parts of a writer's sentence its cited passages do not back.

A model that obeys planted text, or embroiders, keeps a supported sentence and hangs an invented clause on it:
"The Gdynia port strike ended because union leaders were bribed by the mayor [1]". The sentence still reads
like its source (most of its words are there, its embedding is close), so each clause is judged on its own:

- a name (a capitalised word past the start) the cited passages never use makes it unsupported: names cannot
  be paraphrased;
- a clause whose content words all occur in the cited passages is supported (the figures rule checks numbers);
- otherwise its new words must be a paraphrase: the clause must be close in meaning to a sentence or a clause
  of the cited passages, the closer the more new words it brings.

Clauses split at commas, semicolons, dashes and the words that open a clause ("because", "after", "which",
"and", ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from briefing._words import content_words, stem
from retrieval.text import STOPWORDS

if TYPE_CHECKING:
    from briefing.embeddings import SentenceEmbeddings
    from retrieval.store import Hit

_CONNECTIVES = (
    "because|after|before|since|while|although|though|whereas|but|and|or|which|who|whom|whose|where|"
    "when|despite|amid|following|due to|thanks to|as a result|in order to|so that|until|unless|as|including|"
    "saying|then|with"
)
_BREAK = re.compile(rf"\s*(?:[;:—–(]|\)|,(?=\s))\s*|\s+(?=(?:{_CONNECTIVES})\b)", re.IGNORECASE)
# These also head a phrase ("before the end", "with 40 beds"): a short piece after one belongs to the clause
# before it.
_PREPOSITION_FIRST = re.compile(
    r"(?:after|before|since|until|with|as|including|following|amid|despite|due to|thanks to)\b", re.IGNORECASE
)
_CONNECTIVE_FIRST = re.compile(rf"(?:{_CONNECTIVES})\b", re.IGNORECASE)
_TOKEN = re.compile(r"[\w'’.-]+")
_OPENERS = "\"'“‘«(:"
_FRAMING = frozenset(
    stem(w)
    for w in "plan plans expect expects expected intend intends aim aims hope hopes want wants seek seeks "
    "add adds added note notes noted state states stated announce announces announced report reports "
    "reported describe describes described explain explains explained continue continues continued".split()
)
_COMPOUND_PART = 4
# A name may differ from the source's form by its ending: "Ukrainian" for "Ukraine", "Polish" for "Poland" no.
_NAME_PREFIX = 5


def split(sentence: str) -> list[str]:
    """The clauses of a sentence. A piece with fewer than two content words besides names leads into the next
    one ("Gdynia's mayor, Anna Nowak, welcomed ...") or, last, joins the one before ("..., the agency said");
    one that opens with a connective ("and said he would resign") stands on its own, unless the connective
    is a preposition too ("... two minutes before the end")."""
    pieces = [p for p in (p.strip(" ,;:") for p in _BREAK.split(sentence)) if p]
    out: list[str] = []
    carry = ""
    for i, piece in enumerate(pieces):
        piece = f"{carry} {piece}" if carry else piece
        carry = ""
        short = len(content_words(piece) - {n.lower() for n in names(piece, first=True)}) < 2
        if short and out and _PREPOSITION_FIRST.match(piece):
            out[-1] = f"{out[-1]} {piece}"
        elif not short or _CONNECTIVE_FIRST.match(piece):
            out.append(piece)
        elif i + 1 < len(pieces) and not _CONNECTIVE_FIRST.match(pieces[i + 1]):
            carry = piece
        elif out:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def names(sentence: str, *, first: bool = False) -> list[str]:
    """Capitalised words past the start of the sentence (and of a quote or a colon's clause), and acronyms;
    `first` counts a capitalised first word too."""
    out: list[str] = []
    previous = ""
    for i, match in enumerate(_TOKEN.finditer(sentence)):
        token = match.group(0).strip(".-'’").removesuffix("'s").removesuffix("’s")
        before = sentence[: match.start()].rstrip()
        starts = (i == 0 and not first) or (bool(before) and before[-1] in _OPENERS)
        starts = starts or previous.endswith((".", "!", "?"))
        previous = match.group(0)
        if starts or not token[:1].isupper() or token.lower() in STOPWORDS or any(c.isdigit() for c in token):
            continue
        out.append(token)
    return out


def initials(texts: Iterable[str]) -> set[str]:
    """Acronyms a reader may form from runs of capitalised words ("European Union" gives "eu"), and the texts'
    words too short to count as content words ("St", "UN")."""
    out: set[str] = set()
    for text in texts:
        out.update(t.lower().replace(".", "") for t in _TOKEN.findall(text) if len(t.strip(".")) < 3)
        run: list[str] = []
        for token in [*_TOKEN.findall(text), ""]:
            if token[:1].isupper():
                run.append(token)
                continue
            if len(run) >= 2:
                out.add("".join(w[0] for w in run).lower())
                out.add("".join(w[0] for w in run if w.lower() not in STOPWORDS).lower())
            run = []
    return out


def name_supported(name: str, vocabulary: set[str], acronyms: set[str]) -> bool:
    """Whether the cited passages name it: as a word (any ending past five letters: "Ukrainian" and
    "Ukraine"), or as the initials of words they capitalise; `acronyms` also holds their short words."""
    lowered = name.lower().replace(".", "")
    if stem(lowered) in vocabulary or lowered in acronyms:
        return True
    if len(lowered) >= _NAME_PREFIX:
        prefix = lowered[:_NAME_PREFIX]
        return any(word.startswith(prefix) for word in vocabulary)
    return False


def new_words(clause: str, vocabulary: set[str]) -> set[str]:
    """The clause's content words the cited passages never use. Numbers are the figures rule's business;
    verbs that only frame a statement ("plans", "expects", "announced") add no claim; a word inside one of the
    passages' compounds ("fire" in "wildfire", "water" in "underwater") is theirs."""
    out = set()
    for word in content_words(clause) - vocabulary - _FRAMING:
        if word.isdigit():
            continue
        if len(word) >= _COMPOUND_PART and any(word in v for v in vocabulary if len(v) > len(word)):
            continue
        out.add(word)
    return out


def units(sentences: Iterable[str]) -> list[str]:
    """What a clause is compared with: the passages' sentences and their clauses."""
    out: list[str] = []
    for sentence in sentences:
        out.append(sentence)
        parts = split(sentence)
        if len(parts) > 1:
            out.extend(parts)
    return list(dict.fromkeys(out))


class ClauseCheck:
    """Clause-by-clause support of claims against the passages they cite, by number."""

    def __init__(
        self,
        hits: dict[int, Hit],
        vocab: dict[int, set[str]],
        sentences: dict[int, list[str]],
        embeddings: SentenceEmbeddings,
        *,
        one: float,
        more: float,
    ) -> None:
        """`vocab` and `sentences` of each passage as the citation check has them; a clause with one new word
        must come within cosine `one` of a passage sentence or clause, one with more within `more`."""
        self.hits, self.vocab, self.sentences = hits, vocab, sentences
        self.embeddings, self.one, self.more = embeddings, one, more
        self._units: dict[int, list[str]] = {}
        self._acronyms: dict[int, set[str]] = {}

    def unsupported_name(self, claim: str, cited: list[int]) -> str | None:
        vocabulary = set().union(*(self.vocab[n] for n in cited))
        acronyms = set().union(*(self._acronyms_of(n) for n in cited))
        missing = (n for n in names(claim) if not name_supported(n, vocabulary, acronyms))
        return next(missing, None)

    async def supported(self, claim: str, cited: list[int]) -> bool:
        """Whether every clause of `claim` is supported by the passages it cites."""
        if self.unsupported_name(claim, cited) is not None:
            return False
        vocabulary = set().union(*(self.vocab[n] for n in cited))
        pending = [(c, len(fresh)) for c in split(claim) if (fresh := new_words(c, vocabulary))]
        if not pending:
            return True
        compared = list(dict.fromkeys(u for n in cited for u in self._units_of(n)))
        vectors = await self.embeddings.vectors([c for c, _ in pending] + compared)
        best = vectors[len(pending) :] @ vectors[: len(pending)].T  # units x clauses
        for i, (_clause, count) in enumerate(pending):
            bar = self.one if count == 1 else self.more
            if float(np.max(best[:, i])) < bar:
                return False
        return True

    def _units_of(self, n: int) -> list[str]:
        if n not in self._units:
            self._units[n] = units(self.sentences[n])
        return self._units[n]

    def _acronyms_of(self, n: int) -> set[str]:
        if n not in self._acronyms:
            hit = self.hits[n]
            self._acronyms[n] = initials([hit.title, hit.outlet, hit.text])
        return self._acronyms[n]
