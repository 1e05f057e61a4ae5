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

Statements get the same treatment (`statement_vectors`): a stance timeline compares each statement's words,
its sentence and its article's title with the topic, so those three are stored per statement, removed with
it (and so with its article, or when the article's statements are read again).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TypeVar

import numpy as np

from retrieval.text import passage_sentences

from ._records import Statement
from ._statements import StatementTable

K = TypeVar("K", str, int)

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


def _blob(vectors: np.ndarray) -> bytes:
    return np.asarray(vectors, dtype=np.float32).astype(_DTYPE).tobytes()


def _vectors(blob: bytes, rows: int, dim: int) -> np.ndarray | None:
    """The rows a blob holds, or None when it does not hold that many of that size."""
    if len(blob) != rows * dim * _ITEM:
        return None
    return np.frombuffer(blob, dtype=_DTYPE).reshape(rows, dim).astype(np.float32)


def statement_texts(statement: Statement, title: str) -> list[str]:
    """What a stance timeline compares with its topic, for one statement: its words, its sentence, and the
    title of its article."""
    return [statement.text, statement.sentence, title]


class SentenceVectorTable(StatementTable):
    async def sentence_vectors(
        self, model: str, dim: int, passages: Mapping[str, str]
    ) -> dict[str, np.ndarray]:
        """For chunk ids mapped to their text: the stored vectors (one row per `passage_sentences(text)`) of
        those whose row this model computed from these very sentences. Others are left out."""
        units = {chunk_id: passage_sentences(text) for chunk_id, text in passages.items()}
        return await self._read("sentence_vectors", "chunk_id", model, dim, units)

    async def put_sentence_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> int:
        """Store (chunk id, text, vectors of `passage_sentences(text)`) rows, replacing that model's earlier
        row for the chunk. A row is written only while its chunk holds that text: vectors of a passage that
        is gone, or of text the chunk does not hold, are dropped. Returns how many were written."""
        values = []
        for chunk_id, text, vectors in rows:
            sentences = passage_sentences(text)
            if len(vectors) != len(sentences):
                raise ValueError(f"{len(vectors)} vectors for {len(sentences)} sentences (chunk {chunk_id})")
            values.append((chunk_id, model, sentences_digest(sentences), _blob(vectors), chunk_id, text))
        return await self._write(
            "INSERT OR REPLACE INTO sentence_vectors(chunk_id, model, digest, vectors) "
            "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ? AND text = ?)",
            values,
        )

    async def statement_vectors(
        self, model: str, dim: int, statements: Mapping[int, Sequence[str]]
    ) -> dict[int, np.ndarray]:
        """For statement ids mapped to their `statement_texts`: the stored vectors of those whose row this
        model computed from these very texts. Others are left out."""
        return await self._read("statement_vectors", "statement_id", model, dim, statements)

    async def put_statement_vectors(
        self, model: str, rows: Sequence[tuple[Statement, str, np.ndarray]]
    ) -> int:
        """Store (statement, its article's title, vectors of `statement_texts`) rows. A row is written only
        while the statement is stored with these words and sentence in an article of this title."""
        values = []
        for statement, title, vectors in rows:
            texts = statement_texts(statement, title)
            if statement.id is None or len(vectors) != len(texts):
                raise ValueError(f"{len(vectors)} vectors for statement {statement.id}")
            values.append((
                statement.id, model, sentences_digest(texts), _blob(vectors),
                statement.id, statement.text, statement.sentence, title,
            ))  # fmt: skip
        return await self._write(
            "INSERT OR REPLACE INTO statement_vectors(statement_id, model, digest, vectors) "
            "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM statements s "
            "JOIN articles a ON a.id = s.article_id "
            "WHERE s.id = ? AND s.text = ? AND s.sentence = ? AND a.title = ?)",
            values,
        )

    async def drop_sentence_vectors(self, *, keep_model: str | None = None) -> int:
        """Remove stored sentence and statement vectors: all of them, or those of every model but
        `keep_model`."""

        def tx(c: sqlite3.Connection) -> int:
            gone = 0
            for table in ("sentence_vectors", "statement_vectors"):
                if keep_model is None:
                    gone += c.execute(f"DELETE FROM {table}").rowcount
                else:
                    gone += c.execute(f"DELETE FROM {table} WHERE model != ?", (keep_model,)).rowcount
            return gone

        return await self._run(self._tx(tx))

    async def sentence_vector_chunks(self, model: str) -> set[str]:
        """The chunks that have a row of this model."""

        def q(c: sqlite3.Connection) -> set[str]:
            rows = c.execute("SELECT chunk_id FROM sentence_vectors WHERE model = ?", (model,))
            return {r[0] for r in rows}

        return await self._run(q)

    async def statements_without_vectors(self, model: str, article_id: int) -> list[tuple[Statement, str]]:
        """The article's statements that have no row of this model, with the article's title; whether or
        not the article is searchable yet (ingestion stores them before it is)."""

        def q(c: sqlite3.Connection) -> list[tuple[Statement, str]]:
            rows = c.execute(
                "SELECT s.id, s.article_id, s.speaker, s.role, s.text, s.kind, s.sentence, s.unnamed, "
                "a.title FROM statements s JOIN articles a ON a.id = s.article_id WHERE s.article_id = ? "
                "AND NOT EXISTS (SELECT 1 FROM statement_vectors v WHERE v.statement_id = s.id "
                "AND v.model = ?) ORDER BY s.id",
                (article_id, model),
            ).fetchall()
            return [
                (
                    Statement(
                        id=r["id"], article_id=r["article_id"], speaker=r["speaker"], role=r["role"],
                        text=r["text"], kind=r["kind"], said_on=None, sentence=r["sentence"],
                        unnamed=bool(r["unnamed"]),
                    ),
                    r["title"],
                )
                for r in rows
            ]  # fmt: skip

        return await self._run(q)

    async def _read(
        self, table: str, key: str, model: str, dim: int, units: Mapping[K, Sequence[str]]
    ) -> dict[K, np.ndarray]:
        if not units:
            return {}
        ids: list[K] = list(units)

        def q(c: sqlite3.Connection) -> list[sqlite3.Row]:
            marks = ",".join("?" * len(ids))
            return c.execute(
                f"SELECT {key} AS id, digest, vectors FROM {table} WHERE model = ? AND {key} IN ({marks})",
                [model, *ids],
            ).fetchall()

        out: dict[K, np.ndarray] = {}
        for row in await self._run(q):
            texts = units[row["id"]]
            if row["digest"] != sentences_digest(texts):
                continue
            vectors = _vectors(row["vectors"], len(texts), dim)
            if vectors is not None:
                out[row["id"]] = vectors
        return out

    async def _write(self, sql: str, values: Sequence[tuple[object, ...]]) -> int:
        if not values:
            return 0

        def tx(c: sqlite3.Connection) -> int:
            return sum(c.execute(sql, value).rowcount for value in values)

        return await self._run(self._tx(tx))
