"""E5's tokenizer in Python against the engine's own: token for token, with the engine's quirks."""

from __future__ import annotations

from typing import Any

import pytest

from retrieval.embed import E5Embedder
from retrieval.embed._e5_tokenizer import E5Tokenizer
from tests.support.e5_oracle import TokenOracle
from tests.support.e5_samples import EDGE_CASES, MULTILINGUAL


@pytest.fixture(scope="module")
def tokenizer(e5: E5Embedder) -> E5Tokenizer:
    return e5._tokenizer


@pytest.fixture(scope="module")
def oracle() -> TokenOracle:
    reason = TokenOracle.unavailable()
    if reason is not None:
        pytest.skip(reason)
    return TokenOracle()


def test_counts_match_the_shipped_engine(tokenizer: E5Tokenizer, e5_engine: Any) -> None:
    for text in MULTILINGUAL + EDGE_CASES:
        assert tokenizer.count("passage: " + text) == e5_engine.token_count(text), text
        assert tokenizer.count("query: " + text) == e5_engine.token_count(text, is_query=True), text


@pytest.mark.parametrize("prefix", ["passage: ", "query: "])
def test_ids_match_the_engine(tokenizer: E5Tokenizer, oracle: TokenOracle, prefix: str) -> None:
    for text in MULTILINGUAL + EDGE_CASES:
        expected = oracle.content_ids(text, query=prefix == "query: ")
        assert tokenizer.content_ids(prefix + text) == expected, text


def test_near_ties_resolve_as_in_float32(tokenizer: E5Tokenizer, oracle: TokenOracle) -> None:
    # "▁Dati" splits as "▁Dat"+"i" or "▁Da"+"ti", whose scores differ by 2e-5: which one the engine takes
    # depends on the float32 rounding of the running total, i.e. on the text before it. Summed in float64,
    # about 60 % of these texts tokenize differently from the engine.
    for n in range(0, 300, 7):
        text = "the minister said " * n + "Rachida Dati"
        assert tokenizer.content_ids("passage: " + text) == oracle.content_ids(text), n


def test_engine_quirks_are_kept(tokenizer: E5Tokenizer) -> None:
    # Literal "<s>" is matched as the control piece, as the engine does (SentencePiece would not).
    assert tokenizer.bos in tokenizer.content_ids("passage: a <s> b")
    # Unknown characters are one <unk> each, not merged.
    assert tokenizer.content_ids("\U0001d11e\U0001d11e") == [6, tokenizer.unk, tokenizer.unk]  # "▁", 𝄞, 𝄞
    # Runs of spaces collapse; a trailing space is a token of its own.
    assert tokenizer.content_ids("a  b") == tokenizer.content_ids("a b")
    assert len(tokenizer.content_ids("a b ")) == len(tokenizer.content_ids("a b")) + 1


def test_deliberate_differences(tokenizer: E5Tokenizer) -> None:
    # The engine would stop at a NUL (C string) and its wrapper raises on a lone surrogate.
    assert tokenizer.content_ids("a\x00b") == tokenizer.content_ids("ab")
    assert tokenizer.content_ids("x\ud800y") == tokenizer.content_ids("x\ufffdy")
