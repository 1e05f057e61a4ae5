"""The embedder interface every backend implements, and its one error type."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np

from retrieval.errors import BackendUnavailable


class EmbeddingError(BackendUnavailable):
    """The embedder could not produce vectors (model missing, endpoint down, bad reply).

    `rejected_input`: the endpoint works but refused these texts (too long, say); other texts may pass.
    """

    service = "the embedding service"

    def __init__(self, message: str, *, rejected_input: bool = False) -> None:
        super().__init__(message)
        self.rejected_input = rejected_input


class Embedder(ABC):
    """Turns texts into L2-normalised vectors."""

    #: Stable name of the model, used to name the dense index collection.
    id: str
    dim: int
    #: The model's input window, in its own tokens.
    max_tokens: int
    #: The BM25 boost that suits this model's spread of cosines in hybrid search (see search.FusionConfig).
    fusion_bm25_weight: float = 0.15
    #: How many passages bulk work (ingestion, reindex) hands over per call: a question waits at most one
    #: such call for the model, so slow models take fewer.
    bulk_batch: int = 16
    #: Runs on this machine: a call costs CPU time only, no network round trip or fee. Work worth doing
    #: ahead of need (the sentence vectors of passages, at ingestion) is done only with such a model.
    local: bool = False
    #: Ids of earlier builds of this same model whose vectors this one replaces. Their vectors are close
    #: enough to this one's that an index they built can be searched with this one's questions while it is
    #: re-embedded, which then happens on its own (bot.services); any other change of id needs a reindex.
    supersedes: tuple[str, ...] = ()

    @abstractmethod
    async def embed(self, texts: list[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised."""

    async def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for search questions; asymmetric models (E5) embed these differently from passages."""
        return await self.embed(texts)

    def sentence_model(self) -> Embedder:
        """The model for comparing sentences with sentences (briefing writer, citation check, stance).

        Itself, except for an ensemble: its first model, which those thresholds were calibrated on and which
        embeds the many short sentences of a briefing several times faster.
        """
        return self

    def count_tokens(self, text: str) -> int:
        # Subword tokenisers average about 1.3 tokens per English word; backends that know better override.
        return math.ceil(len(text.split()) * 1.3)

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        pass


def token_runs(lengths: list[int], batch_size: int, batch_tokens: int) -> list[list[int]]:
    """The positions of texts of these token lengths, grouped into model runs: ascending lengths keep the
    padding small, and a run takes up to `batch_size` texts while its padded size (texts x the longest, which
    is the last taken) stays within `batch_tokens`. A text longer than that runs alone."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    runs: list[list[int]] = []
    start = 0
    while start < len(order):
        end = start + 1
        while (
            end < len(order)
            and end - start < batch_size
            and (end - start + 1) * lengths[order[end]] <= batch_tokens
        ):
            end += 1
        runs.append(order[start:end])
        start = end
    return runs
