"""Embeddings from any OpenAI-compatible endpoint."""

from __future__ import annotations

import re

import numpy as np

from ._base import Embedder, EmbeddingError


def _failure(exc: Exception) -> str:
    """Why an API call failed, in words fit for the chat that sent the link (no exception class names)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "no answer in time"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect"
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code in (401, 403):
            # The provider's text may quote part of the key: the status says enough to the chat.
            return f"HTTP {exc.status_code} (the endpoint refused the API key)"
        detail = exc.body.get("message") if isinstance(exc.body, dict) else None
        if isinstance(detail, str) and detail:
            return f"HTTP {exc.status_code} ({detail[:200]})"
        return f"HTTP {exc.status_code}"
    return "unexpected reply"


class OpenAIEmbedder(Embedder):
    """Any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, TEI)."""

    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        model: str,
        dim: int | None = None,
        max_tokens: int = 512,
        batch_size: int = 64,
        timeout: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        from openai import AsyncOpenAI

        self._client = AsyncOpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=max_retries
        )
        self._model = model
        self.id = "openai-" + re.sub(r"[^a-zA-Z0-9]+", "-", model).strip("-")[:40]
        self.dim = dim or 0
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.bulk_batch = batch_size  # a remote model costs this process no CPU: full API batches

    async def probe(self) -> int:
        """Ask the endpoint once so the vector size is known before the index is opened."""
        if not self.dim:
            self.dim = int((await self.embed(["dimension probe"])).shape[1])
        return self.dim

    async def embed(self, texts: list[str]) -> np.ndarray:
        import openai

        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
            try:
                reply = await self._client.embeddings.create(model=self._model, input=batch)
            except openai.OpenAIError as exc:
                rejected = isinstance(exc, openai.APIStatusError) and exc.status_code in (400, 413, 422)
                raise EmbeddingError(
                    f"embedding endpoint failed: {_failure(exc)}", rejected_input=rejected
                ) from exc
            data = sorted(reply.data, key=lambda d: d.index)
            if len(data) != len(batch):
                raise EmbeddingError(
                    f"embedding endpoint returned {len(data)} vectors for {len(batch)} texts"
                )
            rows.extend(d.embedding for d in data)
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        arr = np.asarray(rows, dtype=np.float32)
        if self.dim and arr.shape[1] != self.dim:
            raise EmbeddingError(f"embedding size changed from {self.dim} to {arr.shape[1]}")
        self.dim = arr.shape[1]
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return arr / np.clip(norms, 1e-12, None)

    async def aclose(self) -> None:
        await self._client.close()
