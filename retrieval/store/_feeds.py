"""The followed feeds (schema 3): one row per feed however many scopes follow it, who follows it, and which
of its items each follower has had, so a restart or a feed that re-dates old items adds nothing twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ._sql import dt, iso
from ._sqlite import SqliteStore

FEED_TABLES = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    etag TEXT,
    last_modified TEXT,
    last_polled_at TEXT,
    last_ok_at TEXT,
    last_error TEXT,
    errors INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feed_follows (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    requested TEXT NOT NULL,
    baselined INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, scope)
);
CREATE INDEX IF NOT EXISTS feed_follows_scope ON feed_follows(scope);
CREATE TABLE IF NOT EXISTS feed_seen (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    item_key TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    article_id INTEGER,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, scope, item_key)
);
"""

#: An item that failed this many rounds (its page and its own text both unusable) is not tried again.
MAX_ITEM_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class FeedRecord:
    id: int
    url: str
    kind: str  # rss | atom | json | telegram (what the last successful read found)
    title: str
    etag: str | None
    last_modified: str | None
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None
    errors: int
    next_try_at: datetime | None  # set while backing off after errors


@dataclass(frozen=True, slots=True)
class FollowRecord:
    feed: FeedRecord
    scope: str
    requested: str  # what the follower gave: a site page, @name, the feed itself
    baselined: bool  # the follower's first read is done: older items were set aside then
    created_at: datetime


def _now() -> str:
    return datetime.now(UTC).isoformat()


class FeedTable(SqliteStore):
    _FEED_COLS = (
        "f.id, f.url, f.kind, f.title, f.etag, f.last_modified, f.last_polled_at, f.last_ok_at, "
        "f.last_error, f.errors, f.next_try_at"
    )

    @staticmethod
    def _feed(row: sqlite3.Row) -> FeedRecord:
        return FeedRecord(
            id=row["id"], url=row["url"], kind=row["kind"], title=row["title"], etag=row["etag"],
            last_modified=row["last_modified"], last_polled_at=dt(row["last_polled_at"]),
            last_ok_at=dt(row["last_ok_at"]), last_error=row["last_error"], errors=row["errors"],
            next_try_at=dt(row["next_try_at"]),
        )  # fmt: skip

    async def follow_feed(self, url: str, kind: str, title: str, *, scope: str, requested: str) -> tuple[
        FollowRecord, bool
    ]:
        """Register the feed (once, whoever follows it) and `scope`'s follow; whether the follow is new."""

        def tx(c: sqlite3.Connection) -> tuple[int, bool]:
            c.execute(
                "INSERT INTO feeds(url, kind, title, created_at) VALUES (?,?,?,?) ON CONFLICT(url) DO UPDATE "
                "SET title = CASE WHEN excluded.title != '' THEN excluded.title ELSE feeds.title END",
                (url, kind, title, _now()),
            )
            feed_id = int(c.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()[0])
            added = c.execute(
                "INSERT OR IGNORE INTO feed_follows(feed_id, scope, requested, created_at) VALUES (?,?,?,?)",
                (feed_id, scope, requested, _now()),
            ).rowcount
            return feed_id, bool(added)

        feed_id, added = await self._run(self._tx(tx))
        [follow] = [f for f in await self.follows(scope=scope) if f.feed.id == feed_id]
        return follow, added

    async def unfollow_feed(self, feed_id: int, *, scope: str) -> bool:
        """Drop `scope`'s follow and its item memory; a feed nobody follows any more is dropped too. The
        articles the follow brought stay: they are the scope's, to forget one by one."""

        def tx(c: sqlite3.Connection) -> bool:
            gone = c.execute(
                "DELETE FROM feed_follows WHERE feed_id = ? AND scope = ?", (feed_id, scope)
            ).rowcount
            c.execute("DELETE FROM feed_seen WHERE feed_id = ? AND scope = ?", (feed_id, scope))
            c.execute(
                "DELETE FROM feeds WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM feed_follows WHERE feed_id = ?)",
                (feed_id, feed_id),
            )
            return gone > 0

        return await self._run(self._tx(tx))

    async def follows(self, *, scope: str | None = None, feed_id: int | None = None) -> list[FollowRecord]:
        """Follows of one scope, or of one feed, or all; oldest first."""
        clauses: list[str] = []
        params: list[object] = []
        if scope is not None:
            clauses.append("w.scope = ?")
            params.append(scope)
        if feed_id is not None:
            clauses.append("w.feed_id = ?")
            params.append(feed_id)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        sql = (
            f"SELECT {self._FEED_COLS}, w.scope, w.requested, w.baselined, w.created_at AS followed_at "
            f"FROM feed_follows w JOIN feeds f ON f.id = w.feed_id{where} ORDER BY w.created_at, f.id"
        )

        def q(c: sqlite3.Connection) -> list[FollowRecord]:
            return [
                FollowRecord(
                    feed=self._feed(r), scope=r["scope"], requested=r["requested"],
                    baselined=bool(r["baselined"]), created_at=dt(r["followed_at"]) or datetime.now(UTC),
                )
                for r in c.execute(sql, params).fetchall()
            ]

        return await self._run(q)

    async def feeds_to_poll(self, *, now: datetime, force: bool = False) -> list[FeedRecord]:
        """Feeds somebody follows, except those backing off after errors until later than `now`."""

        def q(c: sqlite3.Connection) -> list[FeedRecord]:
            rows = c.execute(
                f"SELECT {self._FEED_COLS} FROM feeds f WHERE EXISTS "
                "(SELECT 1 FROM feed_follows w WHERE w.feed_id = f.id) ORDER BY f.id"
            ).fetchall()
            feeds = [self._feed(r) for r in rows]
            return [f for f in feeds if force or f.next_try_at is None or f.next_try_at <= now]

        return await self._run(q)

    async def feed_by_url(self, url: str) -> FeedRecord | None:
        def q(c: sqlite3.Connection) -> FeedRecord | None:
            row = c.execute(f"SELECT {self._FEED_COLS} FROM feeds f WHERE f.url = ?", (url,)).fetchone()
            return self._feed(row) if row else None

        return await self._run(q)

    async def feed_read(
        self,
        feed_id: int,
        *,
        kind: str | None,
        title: str | None,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        """A successful read (or an unchanged feed): the validators for next time, errors cleared."""
        now = _now()
        await self._run(
            lambda c: c.execute(
                "UPDATE feeds SET kind = COALESCE(?, kind), title = CASE WHEN COALESCE(?, '') != '' THEN ? "
                "ELSE title END, etag = ?, last_modified = ?, last_polled_at = ?, last_ok_at = ?, "
                "last_error = NULL, errors = 0, next_try_at = NULL WHERE id = ?",
                (kind, title, title, etag, last_modified, now, now, feed_id),
            )
        )

    async def feed_failed(self, feed_id: int, error: str, next_try: datetime) -> int:
        """A failed read: the error shown to followers, and when to try again. Returns the errors in a row."""

        def tx(c: sqlite3.Connection) -> int:
            c.execute(
                "UPDATE feeds SET last_polled_at = ?, last_error = ?, errors = errors + 1, next_try_at = ? "
                "WHERE id = ?",
                (_now(), error, iso(next_try), feed_id),
            )
            row = c.execute("SELECT errors FROM feeds WHERE id = ?", (feed_id,)).fetchone()
            return int(row[0]) if row else 0

        return await self._run(self._tx(tx))

    async def mark_baselined(self, feed_id: int, scope: str) -> None:
        await self._run(
            lambda c: c.execute(
                "UPDATE feed_follows SET baselined = 1 WHERE feed_id = ? AND scope = ?", (feed_id, scope)
            )
        )

    async def seen_keys(self, feed_id: int, scope: str, keys: Sequence[str]) -> set[str]:
        """Those of `keys` that `scope` has had from this feed, or gave up on: not to be read again."""
        if not keys:
            return set()

        def q(c: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            # SQLite allows 32,766 variables; a feed's keys come in pieces well below that.
            for start in range(0, len(keys), 500):
                piece = list(keys[start : start + 500])
                marks = ",".join("?" * len(piece))
                found.update(
                    r[0]
                    for r in c.execute(
                        f"SELECT item_key FROM feed_seen WHERE feed_id = ? AND scope = ? AND item_key IN "
                        f"({marks}) AND (done = 1 OR attempts >= ?)",
                        [feed_id, scope, *piece, MAX_ITEM_ATTEMPTS],
                    )
                )
            return found

        return await self._run(q)

    async def mark_seen(
        self, feed_id: int, scope: str, keys: Iterable[str], *, done: bool, article_id: int | None = None
    ) -> None:
        """Record an item's keys for `scope`: done (stored, a duplicate, or set aside), or one more failed
        attempt."""
        now = _now()
        rows = [(feed_id, scope, key, int(done), article_id, now) for key in keys]
        if not rows:
            return
        await self._run(
            self._tx(
                lambda c: c.executemany(
                    "INSERT INTO feed_seen(feed_id, scope, item_key, done, attempts, article_id, seen_at) "
                    "VALUES (?,?,?,?,1,?,?) ON CONFLICT(feed_id, scope, item_key) DO UPDATE SET "
                    "done = MAX(done, excluded.done), attempts = attempts + 1, "
                    "article_id = COALESCE(excluded.article_id, article_id), seen_at = excluded.seen_at",
                    rows,
                )
            )
        )

    async def forget_seen(self, before: datetime) -> int:
        """Drop the item memory last touched before `before`: a feed lists its latest items only, and an old
        item that comes back after that long is caught by the ingestor's duplicate check (same link or text),
        so the table does not grow for ever. Returns the rows dropped."""

        def tx(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM feed_seen WHERE seen_at < ?", (iso(before),)).rowcount

        return await self._run(self._tx(tx))

    async def migrate_follows(self, old: str, new: str) -> None:
        """A chat's follows and item memory move to its new id (a group upgraded to a supergroup)."""

        def tx(c: sqlite3.Connection) -> None:
            c.execute("UPDATE OR IGNORE feed_follows SET scope = ? WHERE scope = ?", (new, old))
            c.execute("DELETE FROM feed_follows WHERE scope = ?", (old,))
            c.execute("UPDATE OR IGNORE feed_seen SET scope = ? WHERE scope = ?", (new, old))
            c.execute("DELETE FROM feed_seen WHERE scope = ?", (old,))

        await self._run(self._tx(tx))
