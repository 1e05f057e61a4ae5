"""Sentence-aware chunking that fits an embedder's window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from retrieval.text import paragraphs, split_sentences


@dataclass(slots=True)
class ChunkPiece:
    seq: int
    text: str


class Chunker:
    """Packs whole sentences into chunks of at most `max_tokens`, overlapping by one sentence.

    Paragraph breaks are preferred cut points; a sentence longer than the window is split on words.
    `count_tokens` is the embedder's own tokenizer so a chunk never gets truncated by the model.
    """

    def __init__(
        self,
        count_tokens: Callable[[str], int],
        *,
        max_tokens: int = 200,
        overlap_tokens: int = 40,
        min_tokens: int = 24,
    ) -> None:
        self._count = count_tokens
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens
        self.min_tokens = min_tokens

    def _units(self, text: str) -> list[tuple[str, int, bool]]:
        """Sentences with their token counts; the flag marks the first sentence of a paragraph."""
        units: list[tuple[str, int, bool]] = []
        for para in paragraphs(text):
            for i, sentence in enumerate(split_sentences(para)):
                n = self._count(sentence)
                if n <= self.max_tokens:
                    units.append((sentence, n, i == 0))
                    continue
                words = sentence.split()
                step = max(1, int(len(words) * self.max_tokens / n * 0.9))
                for j in range(0, len(words), step):
                    piece = " ".join(words[j : j + step])
                    units.append((piece, self._count(piece), i == 0 and j == 0))
        return units

    def split(self, text: str) -> list[ChunkPiece]:
        units = self._units(text)
        chunks: list[list[tuple[str, int, bool]]] = []
        current: list[tuple[str, int, bool]] = []
        size = 0
        for unit in units:
            _, n, _ = unit
            # Start a new chunk when the window is full, or at a paragraph break once the chunk is
            # reasonably full, so chunks follow the article's own structure.
            full = size + n > self.max_tokens
            para_break = unit[2] and size >= self.max_tokens * 0.6
            if current and (full or para_break):
                chunks.append(current)
                overlap: list[tuple[str, int, bool]] = []
                carried = 0
                for prev in reversed(current):
                    if carried + prev[1] > self.overlap_tokens or carried + prev[1] + n > self.max_tokens:
                        break
                    overlap.insert(0, prev)
                    carried += prev[1]
                current, size = overlap, carried
            current.append(unit)
            size += n
        if current:
            # A tiny tail is folded into the previous chunk when it still fits, instead of standing alone.
            tail_only = [u for u in current if not chunks or u not in chunks[-1]]
            tail_size = sum(u[1] for u in tail_only)
            prev_size = sum(u[1] for u in chunks[-1]) if chunks else 0
            if chunks and tail_size < self.min_tokens and prev_size + tail_size <= self.max_tokens:
                chunks[-1].extend(tail_only)
            else:
                chunks.append(current)
        return [ChunkPiece(seq=i, text=_join(c)) for i, c in enumerate(chunks)]


def _join(units: list[tuple[str, int, bool]]) -> str:
    out = ""
    for i, (sentence, _, starts_para) in enumerate(units):
        if i:
            out += "\n\n" if starts_para else " "
        out += sentence
    return out


def passage_for_embedding(title: str, text: str) -> str:
    """The text a chunk is embedded as: its article's title gives context the passage alone may lack.

    A title the chunk already opens with (an untitled text without a headline in its URL is titled by its own
    first line) is not repeated: the repetition would only tilt the vector towards that line.
    """
    title = title.strip()
    if not title or text.lstrip().startswith(title):
        return text
    return f"{title}\n{text}"
