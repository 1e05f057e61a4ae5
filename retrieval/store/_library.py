"""The article library: SQLite (WAL) holding articles, chunks, statements, sentence vectors and an FTS5 index.

It is the source of truth; the dense index can always be rebuilt from it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from retrieval.errors import BriefbotError
from retrieval.text import STOPWORDS

from ._feeds import FeedTable
from ._records import SHARED_SCOPE, Article, Chunk, ChunkRecord, SearchFilters
from ._schema import SCHEMA, SCHEMA_VERSION, migrate_to_2, migrate_to_3
from ._sentence_vectors import SentenceVectorTable
from ._sql import dt, filter_sql, iso, to_utc, ts, visibility_sql
from ._sqlite import retry_while_locked

# FTS5 query syntax is its own language; user text is reduced to bare terms so it can never be a syntax error.
_TERM = re.compile(r"[\w][\w'’-]*", re.UNICODE)

# Column weights of the FTS5 BM25 (body, title); checked on the retrieval benchmark, where title weights of
# 0-0.5 were within a point of each other once fused with dense scores.
_BODY_WEIGHT = 1.0
_TITLE_WEIGHT = 0.5


class LibraryError(BriefbotError):
    pass


def fts_query(text: str) -> str | None:
    """Terms of a question OR-ed together, stopwords dropped, each quoted for FTS5."""
    terms: list[str] = []
    for term in _TERM.findall(text.lower()):
        term = term.strip("'’-")
        if len(term) < 2 or term in STOPWORDS or term in terms:
            continue
        terms.append(term)
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


class LibraryVersionError(LibraryError):
    """The library file comes from a newer release than this one, or its schema version is unreadable."""


class Library(SentenceVectorTable, FeedTable):
    """Async facade over one SQLite connection; calls run in a worker thread under a lock."""

    # An older release would misread (or silently damage) tables laid out by a newer one.
    version_error = LibraryVersionError
    kind = "library"

    def __init__(self, path: Path) -> None:
        super().__init__(path, SCHEMA, version=SCHEMA_VERSION)
        with self._lock:
            retry_while_locked(self._migrate)

    def _migrate(self) -> None:
        c = self._conn
        row = c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if int(row[0]) < 2:
            # Rebuilding a table that others reference needs foreign keys off, and the pragma is a no-op
            # inside a transaction.
            c.execute("PRAGMA foreign_keys=OFF")
            try:
                self._tx(migrate_to_2)(c)
            finally:
                c.execute("PRAGMA foreign_keys=ON")
            c.executescript(SCHEMA)  # the indexes went with the old table
        if int(c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]) < 3:
            # executescript commits on its own, so the tables go first and the version after them: a crash
            # in between leaves version 2 with the tables already there, which the next open finishes.
            migrate_to_3(c)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(statements)")}
        if "unnamed" not in columns:
            # Libraries made before unnamed sources were kept; their statements are re-extracted on start
            # (the extractor version changed with it), which fills the column in.
            self._conn.execute("ALTER TABLE statements ADD COLUMN unnamed INTEGER NOT NULL DEFAULT 0")

    # ---- meta -------------------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        def q(c: sqlite3.Connection) -> str | None:
            row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None

        return await self._run(q)

    async def set_meta(self, key: str, value: str) -> None:
        await self._run(
            lambda c: c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
        )

    # ---- articles ---------------------------------------------------------------------------------------

    @staticmethod
    def _article(row: sqlite3.Row) -> Article:
        return Article(
            id=row["id"],
            url=row["url"],
            title=row["title"],
            outlet=row["outlet"],
            author=row["author"],
            published_at=dt(row["published_at"]),
            language=row["language"],
            text=row["text"],
            content_hash=row["content_hash"],
            added_by=row["added_by"],
            added_at=dt(row["added_at"]) or datetime.now(UTC),
            duplicate_of=row["duplicate_of"],
            flags=row["flags"],
            chunk_count=row["chunk_count"] if "chunk_count" in row.keys() else 0,
        )

    _ARTICLE_COLS = "a.*, (SELECT COUNT(*) FROM chunks c WHERE c.article_id = a.id) AS chunk_count"

    async def get_article(self, article_id: int) -> Article | None:
        def q(c: sqlite3.Connection) -> Article | None:
            row = c.execute(
                f"SELECT {self._ARTICLE_COLS} FROM articles a WHERE a.id = ?", (article_id,)
            ).fetchone()
            return self._article(row) if row else None

        return await self._run(q)

    async def get_articles(self, article_ids: Iterable[int]) -> list[Article]:
        """The stored ones of `article_ids`, in one read."""
        ids = sorted(set(article_ids))

        def q(c: sqlite3.Connection) -> list[Article]:
            found: list[Article] = []
            for start in range(0, len(ids), 500):
                piece = ids[start : start + 500]
                marks = ",".join("?" * len(piece))
                sql = f"SELECT {self._ARTICLE_COLS} FROM articles a WHERE a.id IN ({marks})"
                rows = c.execute(sql, piece)
                found.extend(self._article(row) for row in rows)
            return found

        return await self._run(q) if ids else []

    async def find_existing(self, url: str, content_hash: str, *, scope: str) -> Article | None:
        """The article `scope` can see with this canonical URL or this exact content, if any.

        Only what the scope can see: another chat's copy of the same page is never handed out, since that
        would show one chat's text, title and address to another.
        """
        vis, params = visibility_sql(scope)

        def q(c: sqlite3.Connection) -> Article | None:
            row = c.execute(
                f"SELECT {self._ARTICLE_COLS} FROM articles a WHERE (a.url = ? OR a.content_hash = ?) "
                f"AND {vis} ORDER BY a.added_by = ? DESC, a.id LIMIT 1",
                (url, content_hash, *params, scope),
            ).fetchone()
            return self._article(row) if row else None

        return await self._run(q)

    async def candidates_by_bands(self, bands: Sequence[int], *, scope: str) -> list[Article]:
        """Articles `scope` can see that share MinHash bands with a text: near-duplicate candidates."""
        if not bands:
            return []
        vis, params = visibility_sql(scope)

        def q(c: sqlite3.Connection) -> list[Article]:
            marks = ",".join("?" * len(bands))
            # Visibility inside the ranking: the 20 best candidates must be 20 this scope may be linked to.
            rows = c.execute(
                f"SELECT {self._ARTICLE_COLS} FROM articles a WHERE a.id IN (SELECT b.article_id "
                f"FROM minhash_bands b JOIN articles a ON a.id = b.article_id WHERE b.band IN ({marks}) "
                f"AND a.duplicate_of IS NULL AND {vis} "
                "GROUP BY b.article_id ORDER BY COUNT(*) DESC LIMIT 20)",
                [*bands, *params],
            ).fetchall()
            return [self._article(r) for r in rows]

        return await self._run(q)

    async def indexed_copy(self, content_hash: str, title: str) -> Article | None:
        """An indexed article, in any scope, with this exact text and title: its vectors are the ones a new
        copy of it would get, so they can be reused instead of computed again. Never shown to anyone."""

        def q(c: sqlite3.Connection) -> Article | None:
            row = c.execute(
                f"SELECT {self._ARTICLE_COLS} FROM articles a WHERE a.content_hash = ? AND a.title = ? "
                "AND a.indexed = 1 AND a.duplicate_of IS NULL ORDER BY a.id LIMIT 1",
                (content_hash, title),
            ).fetchone()
            return self._article(row) if row else None

        return await self._run(q)

    async def add_article(
        self,
        *,
        url: str,
        title: str,
        outlet: str,
        author: str | None,
        published_at: datetime | None,
        language: str | None,
        text: str,
        content_hash: str,
        added_by: str,
        chunks: Sequence[str] = (),
        bands: Sequence[int] = (),
        duplicate_of: int | None = None,
        flags: str = "",
        added_at: datetime | None = None,
    ) -> Article:
        """Store an article and its chunks in one transaction; it stays invisible to search until indexed."""
        added = to_utc(added_at) or datetime.now(UTC)

        def tx(c: sqlite3.Connection) -> int:
            cur = c.execute(
                "INSERT INTO articles(url, title, outlet, author, published_at, published_ts, language, "
                "text, content_hash, added_by, added_at, added_ts, duplicate_of, flags, indexed) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    url, title, outlet, author, iso(published_at), ts(published_at), language, text,
                    content_hash, added_by, added.isoformat(), int(added.timestamp()), duplicate_of, flags,
                    1 if duplicate_of else 0,
                ),
            )  # fmt: skip
            article_id = int(cur.lastrowid or 0)
            c.executemany(
                "INSERT INTO chunks(id, article_id, seq, text, title) VALUES (?,?,?,?,?)",
                [(f"{article_id}:{i}", article_id, i, t, title) for i, t in enumerate(chunks)],
            )
            c.executemany(
                "INSERT INTO minhash_bands(band, article_id) VALUES (?, ?)", [(b, article_id) for b in bands]
            )
            return article_id

        try:
            article_id = await self._run(self._tx(tx))
        except sqlite3.IntegrityError as exc:
            raise LibraryError(f"article already stored: {url}") from exc
        article = await self.get_article(article_id)
        assert article is not None
        return article

    async def mark_indexed(self, article_id: int) -> None:
        await self._run(lambda c: c.execute("UPDATE articles SET indexed = 1 WHERE id = ?", (article_id,)))

    async def delete_with_copies(self, article_id: int) -> tuple[bool, list[int]]:
        """Delete an article; the near-duplicates filed under it become articles of their own again.

        A linked copy has no passages of its own: it was searched through the article it was filed under.
        Such copies are returned unindexed and without passages, for the ingestor to cut, embed and index
        (`Ingestor.resume` does it, after a crash too), so no scope's copy is stranded.
        """

        def tx(c: sqlite3.Connection) -> tuple[bool, list[int]]:
            copies = [
                r[0] for r in c.execute("SELECT id FROM articles WHERE duplicate_of = ?", (article_id,))
            ]
            c.execute(
                "UPDATE articles SET duplicate_of = NULL, indexed = 0 WHERE duplicate_of = ?", (article_id,)
            )
            gone = c.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount > 0
            return gone, copies

        return await self._run(self._tx(tx))

    async def set_passages(self, article_id: int, chunks: Sequence[str], bands: Sequence[int]) -> None:
        """Give an article without passages (a former linked copy) its passages and MinHash bands."""

        def tx(c: sqlite3.Connection) -> None:
            title = c.execute("SELECT title FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
            c.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
            c.execute("DELETE FROM minhash_bands WHERE article_id = ?", (article_id,))
            c.executemany(
                "INSERT INTO chunks(id, article_id, seq, text, title) VALUES (?,?,?,?,?)",
                [(f"{article_id}:{i}", article_id, i, t, title) for i, t in enumerate(chunks)],
            )
            c.executemany(
                "INSERT INTO minhash_bands(band, article_id) VALUES (?, ?)", [(b, article_id) for b in bands]
            )

        await self._run(self._tx(tx))

    async def set_flags(self, article_id: int, flags: str) -> None:
        await self._run(
            lambda c: c.execute("UPDATE articles SET flags = ? WHERE id = ?", (flags, article_id))
        )

    async def pending_articles(self) -> list[int]:
        """Articles stored but not yet in the dense index (an interrupted ingestion)."""

        def q(c: sqlite3.Connection) -> list[int]:
            rows = c.execute("SELECT id FROM articles WHERE indexed = 0 ORDER BY id").fetchall()
            return [r[0] for r in rows]

        return await self._run(q)

    async def delete_article(self, article_id: int) -> bool:
        def tx(c: sqlite3.Connection) -> bool:
            return c.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount > 0

        return await self._run(self._tx(tx))

    async def find_by_url(self, url: str, *, scope: str | None) -> Article | None:
        """The article with this canonical URL that `scope` can see (None: any scope), its own copy first."""
        vis, params = visibility_sql(scope)

        def q(c: sqlite3.Connection) -> Article | None:
            row = c.execute(
                f"SELECT {self._ARTICLE_COLS} FROM articles a WHERE a.url = ? AND {vis} "
                "ORDER BY a.added_by = ? DESC, a.id LIMIT 1",
                (url, *params, scope),
            ).fetchone()
            return self._article(row) if row else None

        return await self._run(q)

    async def count_visible(self, scope: str) -> dict[str, int]:
        """What a chat can see: articles (its own among them, and shared ones), passages and statements."""
        where, params = visibility_sql(scope)
        searchable = f"{where} AND a.indexed = 1 AND a.duplicate_of IS NULL"

        def q(c: sqlite3.Connection) -> dict[str, int]:
            total, mine, shared = c.execute(
                f"SELECT COUNT(*), COALESCE(SUM(a.added_by = ?), 0), COALESCE(SUM(a.added_by = ?), 0) "
                f"FROM articles a WHERE {where}",
                [scope, SHARED_SCOPE, *params],
            ).fetchone()
            passages = c.execute(
                f"SELECT COUNT(*) FROM chunks c JOIN articles a ON a.id = c.article_id WHERE {searchable}",
                params,
            ).fetchone()[0]
            statements = c.execute(
                "SELECT COUNT(*) FROM statements s JOIN articles a ON a.id = s.article_id "
                f"WHERE {searchable}",
                params,
            ).fetchone()[0]
            return {
                "articles": int(total), "mine": int(mine), "shared": int(shared),
                "passages": int(passages), "statements": int(statements),
            }  # fmt: skip

        return await self._run(q)

    async def list_articles(
        self,
        *,
        scope: str | None = None,
        limit: int = 20,
        added_since: datetime | None = None,
        include_duplicates: bool = True,
    ) -> list[Article]:
        where, params = visibility_sql(scope)
        clauses = [where] if where else []
        if added_since is not None:
            clauses.append("a.added_ts > ?")
            params.append(ts(added_since))
        if not include_duplicates:
            clauses.append("a.duplicate_of IS NULL")
        sql = f"SELECT {self._ARTICLE_COLS} FROM articles a"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY a.added_ts DESC, a.id DESC LIMIT ?"
        params.append(limit)
        return await self._run(lambda c: [self._article(r) for r in c.execute(sql, params).fetchall()])

    async def duplicates_of(self, article_ids: Sequence[int]) -> dict[int, list[Article]]:
        if not article_ids:
            return {}

        def q(c: sqlite3.Connection) -> dict[int, list[Article]]:
            marks = ",".join("?" * len(article_ids))
            rows = c.execute(
                f"SELECT {self._ARTICLE_COLS} FROM articles a WHERE a.duplicate_of IN ({marks})",
                list(article_ids),
            ).fetchall()
            out: dict[int, list[Article]] = {}
            for r in rows:
                out.setdefault(r["duplicate_of"], []).append(self._article(r))
            return out

        return await self._run(q)

    async def stats(self) -> dict[str, int]:
        def q(c: sqlite3.Connection) -> dict[str, int]:
            one = lambda sql: int(c.execute(sql).fetchone()[0])  # noqa: E731
            return {
                "articles": one("SELECT COUNT(*) FROM articles"),
                "indexed_articles": one(
                    "SELECT COUNT(*) FROM articles WHERE indexed = 1 AND duplicate_of IS NULL"
                ),
                "pending_articles": one("SELECT COUNT(*) FROM articles WHERE indexed = 0"),
                "near_duplicates": one("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL"),
                "chunks": one("SELECT COUNT(*) FROM chunks"),
                "indexed_chunks": one(
                    "SELECT COUNT(*) FROM chunks c JOIN articles a ON a.id = c.article_id WHERE a.indexed = 1"
                ),
                "statements": one("SELECT COUNT(*) FROM statements"),
                "shared_articles": one(f"SELECT COUNT(*) FROM articles WHERE added_by = '{SHARED_SCOPE}'"),
            }

        return await self._run(q)

    # ---- chunks -----------------------------------------------------------------------------------------

    _RECORD_SQL = (
        "SELECT c.id AS chunk_id, c.article_id, c.seq, c.text, a.title, a.url, a.outlet, a.published_at, "
        "a.added_by FROM chunks c JOIN articles a ON a.id = c.article_id"
    )

    @staticmethod
    def _record(row: sqlite3.Row) -> ChunkRecord:
        return ChunkRecord(
            chunk_id=row["chunk_id"],
            article_id=row["article_id"],
            seq=row["seq"],
            text=row["text"],
            title=row["title"],
            url=row["url"],
            outlet=row["outlet"],
            published=dt(row["published_at"]),
            added_by=row["added_by"],
        )

    async def chunk_records(
        self, chunk_ids: Sequence[str], *, indexed_only: bool = True
    ) -> dict[str, ChunkRecord]:
        """Chunks by id; by default only those of fully indexed articles, as search must see."""
        if not chunk_ids:
            return {}
        cond = " AND a.indexed = 1 AND a.duplicate_of IS NULL" if indexed_only else ""

        def q(c: sqlite3.Connection) -> dict[str, ChunkRecord]:
            marks = ",".join("?" * len(chunk_ids))
            rows = c.execute(f"{self._RECORD_SQL} WHERE c.id IN ({marks}){cond}", list(chunk_ids)).fetchall()
            return {r["chunk_id"]: self._record(r) for r in rows}

        return await self._run(q)

    async def article_chunks(self, article_id: int) -> list[ChunkRecord]:
        def q(c: sqlite3.Connection) -> list[ChunkRecord]:
            rows = c.execute(
                f"{self._RECORD_SQL} WHERE c.article_id = ? ORDER BY c.seq", (article_id,)
            ).fetchall()
            return [self._record(r) for r in rows]

        return await self._run(q)

    async def indexed_chunks(self) -> dict[int, list[ChunkRecord]]:
        """The chunks of every article search may show, by article and in order.

        What the dense index should hold: pending articles and linked near-duplicates are left out.
        """

        def q(c: sqlite3.Connection) -> dict[int, list[ChunkRecord]]:
            where = "WHERE a.indexed = 1 AND a.duplicate_of IS NULL ORDER BY c.article_id, c.seq"
            sql = f"{self._RECORD_SQL} {where}"
            out: dict[int, list[ChunkRecord]] = {}
            for row in c.execute(sql):
                out.setdefault(row["article_id"], []).append(self._record(row))
            return out

        return await self._run(q)

    async def indexed_article_ids(self) -> list[int]:
        def q(c: sqlite3.Connection) -> list[int]:
            rows = c.execute(
                "SELECT id FROM articles WHERE indexed = 1 AND duplicate_of IS NULL ORDER BY id"
            ).fetchall()
            return [r[0] for r in rows]

        return await self._run(q)

    async def chunks(self, article_id: int) -> list[Chunk]:
        records = await self.article_chunks(article_id)
        return [Chunk(id=r.chunk_id, article_id=r.article_id, seq=r.seq, text=r.text) for r in records]

    # ---- search -----------------------------------------------------------------------------------------

    async def bm25(
        self, query: str, limit: int, filters: SearchFilters, *, chunk_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores (higher is better) for a free-text query.

        With `chunk_ids`, only those chunks are scored (e.g. the dense candidates), on the same corpus-wide
        scale as an unrestricted query; chunks sharing no term with the query are left out.
        """
        match = fts_query(query)
        if match is None or (chunk_ids is not None and not chunk_ids):
            return []
        where, params = filter_sql(filters)
        only = ""
        if chunk_ids is not None:
            only = f" AND c.id IN ({','.join('?' * len(chunk_ids))})"
            params = [*params, *chunk_ids]
        # Title matches count half as much as body matches: every chunk of an article repeats its title.
        sql = (
            f"SELECT c.id, -bm25(chunks_fts, {_BODY_WEIGHT}, {_TITLE_WEIGHT}) AS score FROM chunks_fts "
            "JOIN chunks c ON c.rowid = chunks_fts.rowid JOIN articles a ON a.id = c.article_id "
            f"WHERE chunks_fts MATCH ? AND {where}{only} ORDER BY score DESC LIMIT ?"
        )

        def q(c: sqlite3.Connection) -> list[tuple[str, float]]:
            return [(r[0], float(r[1])) for r in c.execute(sql, [match, *params, limit]).fetchall()]

        return await self._run(q)

    async def migrate_scope(self, old: str, new: str) -> list[int]:
        """Move a chat's articles to its new id (a group upgraded to a supergroup). Returns the moved ids."""

        def tx(c: sqlite3.Connection) -> list[int]:
            ids = [r[0] for r in c.execute("SELECT id FROM articles WHERE added_by = ?", (old,)).fetchall()]
            # A copy the new id somehow holds already wins; the old one goes rather than break uniqueness.
            c.execute("UPDATE OR IGNORE articles SET added_by = ? WHERE added_by = ?", (new, old))
            c.execute("DELETE FROM articles WHERE added_by = ?", (old,))
            return ids

        return await self._run(self._tx(tx))
