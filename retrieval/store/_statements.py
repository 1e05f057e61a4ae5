"""The statements table: who said what, stored per article and read back with the article's metadata."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence

from ._records import ChunkRecord, SearchFilters, Statement
from ._sql import dt, filter_sql, iso, speaker_key, ts
from ._sqlite import SqliteStore


class StatementTable(SqliteStore):

    async def add_statements(self, statements: Iterable[Statement], *, replace: int | None = None) -> int:
        """Store statements; with `replace`, that article's earlier statements go first (re-extraction)."""
        rows = [
            (s.article_id, s.speaker, speaker_key(s.speaker), s.role, s.text, s.kind, iso(s.said_on),
             ts(s.said_on), s.sentence, int(s.unnamed))
            for s in statements
        ]  # fmt: skip

        def tx(c: sqlite3.Connection) -> int:
            if replace is not None:
                c.execute("DELETE FROM statements WHERE article_id = ?", (replace,))
            c.executemany(
                "INSERT INTO statements(article_id, speaker, speaker_key, role, text, kind, said_on, "
                "said_ts, sentence, unnamed) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            return len(rows)

        return await self._run(self._tx(tx))

    async def statements(
        self,
        *,
        speaker_terms: Sequence[str] = (),
        article_ids: Sequence[int] | None = None,
        filters: SearchFilters | None = None,
        limit: int = 200,
    ) -> list[tuple[Statement, ChunkRecord]]:
        """Statements whose speaker or role mentions any of the terms, with their article's metadata. An
        unnamed source's description never matches ("analysts in Kyiv" do not speak for Ukraine)."""
        where, params = filter_sql(filters or SearchFilters())
        clauses = [where]
        if speaker_terms:
            ors = []
            for term in speaker_terms:
                ors.append("(casefold(s.speaker) LIKE ? OR casefold(coalesce(s.role, '')) LIKE ?)")
                params.extend([f"%{term.casefold()}%", f"%{term.casefold()}%"])
            clauses.append("(NOT s.unnamed AND (" + " OR ".join(ors) + "))")
        if article_ids is not None:
            if not article_ids:
                return []
            clauses.append(f"s.article_id IN ({','.join('?' * len(article_ids))})")
            params.extend(article_ids)
        sql = (
            "SELECT s.*, a.title, a.url, a.outlet, a.published_at, a.added_by FROM statements s "
            f"JOIN articles a ON a.id = s.article_id WHERE {' AND '.join(clauses)} "
            "ORDER BY coalesce(s.said_ts, a.published_ts, 0), s.id LIMIT ?"
        )
        params.append(limit)

        def q(c: sqlite3.Connection) -> list[tuple[Statement, ChunkRecord]]:
            out = []
            for r in c.execute(sql, params).fetchall():
                st = Statement(
                    id=r["id"], article_id=r["article_id"], speaker=r["speaker"], role=r["role"],
                    text=r["text"], kind=r["kind"], said_on=dt(r["said_on"]), sentence=r["sentence"],
                    unnamed=bool(r["unnamed"]),
                )  # fmt: skip
                rec = ChunkRecord(
                    chunk_id=f"s{r['id']}", article_id=r["article_id"], seq=-1, text=r["sentence"],
                    title=r["title"], url=r["url"], outlet=r["outlet"], published=dt(r["published_at"]),
                    added_by=r["added_by"],
                )  # fmt: skip
                out.append((st, rec))
            return out

        return await self._run(q)

    async def has_speaker(self, words: Sequence[str], *, scope: str | None) -> bool:
        """Whether `scope` can see a statement whose speaker's name holds all of these words."""
        where, params = filter_sql(SearchFilters(scope=scope))
        likes = " AND ".join("casefold(s.speaker) LIKE ? ESCAPE '\\'" for _ in words) or "1 = 1"
        sql = (
            f"SELECT 1 FROM statements s JOIN articles a ON a.id = s.article_id WHERE {where} AND {likes} "
            "LIMIT 1"
        )
        terms = ["%" + re.sub(r"([\\%_])", r"\\\1", w.casefold()) + "%" for w in words]
        return bool(await self._run(lambda c: c.execute(sql, [*params, *terms]).fetchone()))
