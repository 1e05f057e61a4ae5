"""Near-duplicate detection: word shingles, MinHash with LSH bands, exact overlap to confirm."""

from __future__ import annotations

import hashlib
import re

import numpy as np

SHINGLE_WORDS = 5
_PERMUTATIONS = 64
_ROWS_PER_BAND = 4
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20250227)
_A = _rng.integers(1, _PRIME, size=_PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=_PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def content_hash(text: str) -> str:
    """Hash of the text's words only, so whitespace and punctuation changes do not make a new article."""
    words = " ".join(_WORD.findall(text.lower()))
    return hashlib.sha256(words.encode()).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {_h(" ".join(words))} if words else set()
    return {_h(" ".join(words[i : i + size])) for i in range(len(words) - size + 1)}


def _h(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") >> 4


def overlap(a: set[int], b: set[int]) -> float:
    """Shared shingles over the larger set: both texts must be mostly the other for a high score."""
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def bands(sh: set[int]) -> list[int]:
    """LSH band keys of the MinHash signature; texts sharing a band are candidate duplicates."""
    if not sh:
        return []
    values = np.fromiter(sh, dtype=np.uint64, count=len(sh))
    # Arithmetic modulo 2**64 is enough to scramble the hashes; exact universality is not needed here.
    sig = ((values[None, :] * _A[:, None] + _B[:, None]) >> np.uint64(3)).min(axis=1)
    keys = []
    for band in range(_PERMUTATIONS // _ROWS_PER_BAND):
        rows = sig[band * _ROWS_PER_BAND : (band + 1) * _ROWS_PER_BAND].tobytes()
        digest = hashlib.blake2b(rows + band.to_bytes(2, "little"), digest_size=7).digest()
        keys.append(int.from_bytes(digest, "little"))
    return keys
