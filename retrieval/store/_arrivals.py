"""Articles in the order they were stored, for whatever must react to each new one exactly once, whichever
process stored it (the bot, or `briefbot ingest` / `briefbot poll` beside it on the same data dir).

A reader keeps a cursor: the highest article id it has dealt with. Two things make that enough:
- ids only grow. SQLite gives a new row the largest id plus one, so deleting the newest article would hand
  its id to the next one, behind every cursor; `add_article` takes its id from `next_article_id` instead,
  which remembers the highest id ever given (`meta.article_id_high`).
- an article is stored in two steps (its row, then its passages' vectors and its statements, then
  `indexed = 1`), and ids are taken at the first: a reader goes past an article only once it is ready,
  `Arrival.ready`, and stops at the first one that is not (another process may still be working on it).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from ._sql import dt
from ._sqlite import SqliteStore

HIGH_KEY = "article_id_high"


@dataclass(frozen=True, slots=True)
class Arrival:
    id: int
    scope: str  # who added it (a chat id, or the shared scope)
    ready: bool  # indexed: its statements are stored and search sees it
    added_at: datetime


def next_article_id(c: sqlite3.Connection) -> int:
    """The id the next article gets, inside the writing transaction: above every id ever given, so a
    forgotten article's id is never given again (a reader's cursor would be past it already)."""
    row = c.execute(
        "SELECT MAX(COALESCE((SELECT MAX(id) FROM articles), 0), "
        "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?), 0))",
        (HIGH_KEY,),
    ).fetchone()
    new_id = int(row[0]) + 1
    c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (HIGH_KEY, str(new_id)))
    return new_id


class ArrivalTable(SqliteStore):
    async def last_article_id(self) -> int:
        """The highest id given to an article so far (0 in an empty library)."""

        def q(c: sqlite3.Connection) -> int:
            row = c.execute(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM articles), 0), "
                "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?), 0))",
                (HIGH_KEY,),
            ).fetchone()
            return int(row[0])

        return await self._run(q)

    async def arrivals(self, after: int, *, limit: int = 500) -> list[Arrival]:
        """The articles stored with an id above `after`, lowest first, ready or not."""

        def q(c: sqlite3.Connection) -> list[Arrival]:
            rows = c.execute(
                "SELECT id, added_by, indexed, added_at FROM articles WHERE id > ? ORDER BY id LIMIT ?",
                (after, limit),
            ).fetchall()
            return [Arrival(int(r[0]), str(r[1]), bool(r[2]), dt(r[3]) or datetime.now(UTC)) for r in rows]

        return await self._run(q)
