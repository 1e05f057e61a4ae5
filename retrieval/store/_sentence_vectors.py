"""Sentence vectors of stored passages, kept beside their chunks so an answer does not embed them again.

The offline writer and the citation check compare a question and a draft with every sentence of the passages
search found. Embedding those sentences was most of the cost of an answer, and the same passages come back
question after question, so they are embedded once (at ingestion, or by the first answer that needs them)
and stored here: one row per chunk and sentence model, the chunk's sentence vectors as float16.

A row is used only for the chunk it was computed from:
- it belongs to its chunk (`ON DELETE CASCADE`): forgetting an article, or cutting it into new passages,
  removes its rows with its chunks, and a row is read only by the id of a chunk search returned to the
  asking scope;
- it is written only while the chunk holds the very text it was computed from, and it records a digest of
  that text's sentences: when the sentence splitter cuts a passage differently, the row no longer lines up
  and is ignored (and replaced by the next answer that embeds the passage);
- it names the model: vectors of another sentence model are never mixed in.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Mapping, Sequence

import numpy as np

from retrieval.text import passage_sentences

from ._sqlite import SqliteStore

# Half precision halves the disk a library needs for them (about 0.8 KB a sentence at 384 dimensions); the
# cosines move by less than 1e-4. Readers round fresh vectors the same way (`round_vectors`), so a vector
# read from here and one just computed are the same numbers.
_DTYPE = np.dtype("<f2")
_ITEM = _DTYPE.itemsize


def round_vectors(vectors: np.ndarray) -> np.ndarray:
    """Vectors as they come back from storage: rounded to half precision, as float32."""
    return np.asarray(vectors, dtype=np.float32).astype(_DTYPE).astype(np.float32)


def sentences_digest(sentences: Sequence[str]) -> str:
    """Which sentences, in which order, a row's vectors stand for."""
    return hashlib.sha256("\x1e".join(sentences).encode("utf-8")).hexdigest()[:32]


class SentenceVectorTable(SqliteStore):
    async def sentence_vectors(
        self, model: str, dim: int, passages: Mapping[str, str]
    ) -> dict[str, np.ndarray]:
        """For chunk ids mapped to their text: the stored vectors (one row per `passage_sentences(text)`) of
        those whose row this model computed from these very sentences. Others are left out."""
        if not passages:
            return {}
        ids = list(passages)

        def q(c: sqlite3.Connection) -> list[sqlite3.Row]:
            marks = ",".join("?" * len(ids))
            return c.execute(
                "SELECT chunk_id, digest, vectors FROM sentence_vectors "
                f"WHERE model = ? AND chunk_id IN ({marks})",
                [model, *ids],
            ).fetchall()

        out: dict[str, np.ndarray] = {}
        for row in await self._run(q):
            sentences = passage_sentences(passages[row["chunk_id"]])
            blob = row["vectors"]
            if row["digest"] != sentences_digest(sentences) or len(blob) != len(sentences) * dim * _ITEM:
                continue
            vectors = np.frombuffer(blob, dtype=_DTYPE).reshape(len(sentences), dim)
            out[row["chunk_id"]] = vectors.astype(np.float32)
        return out

    async def put_sentence_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> int:
        """Store (chunk id, text, vectors of `passage_sentences(text)`) rows, replacing that model's earlier
        row for the chunk. A row is written only while its chunk holds that text: vectors of a passage that
        is gone, or of text the chunk does not hold, are dropped. Returns how many were written."""
        values = []
        for chunk_id, text, vectors in rows:
            sentences = passage_sentences(text)
            if len(vectors) != len(sentences):
                raise ValueError(f"{len(vectors)} vectors for {len(sentences)} sentences (chunk {chunk_id})")
            blob = np.asarray(vectors, dtype=np.float32).astype(_DTYPE).tobytes()
            values.append((chunk_id, model, sentences_digest(sentences), blob, chunk_id, text))
        if not values:
            return 0

        def tx(c: sqlite3.Connection) -> int:
            written = 0
            for value in values:
                written += c.execute(
                    "INSERT OR REPLACE INTO sentence_vectors(chunk_id, model, digest, vectors) "
                    "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ? AND text = ?)",
                    value,
                ).rowcount
            return written

        return await self._run(self._tx(tx))

    async def drop_sentence_vectors(self, *, keep_model: str | None = None) -> int:
        """Remove stored sentence vectors: all of them, or those of every model but `keep_model`."""

        def tx(c: sqlite3.Connection) -> int:
            if keep_model is None:
                return c.execute("DELETE FROM sentence_vectors").rowcount
            return c.execute("DELETE FROM sentence_vectors WHERE model != ?", (keep_model,)).rowcount

        return await self._run(self._tx(tx))

    async def sentence_vector_chunks(self, model: str) -> set[str]:
        """The chunks that have a row of this model."""

        def q(c: sqlite3.Connection) -> set[str]:
            rows = c.execute("SELECT chunk_id FROM sentence_vectors WHERE model = ?", (model,))
            return {r[0] for r in rows}

        return await self._run(q)
