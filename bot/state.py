"""Per-chat state that must survive restarts: digest subscriptions, last digest time, one-off notices, and
watched actors with the statements already alerted (so a restart never alerts twice)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from retrieval.store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    chat_id INTEGER PRIMARY KEY,
    hour INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chats (
    chat_id INTEGER PRIMARY KEY,
    last_digest_at TEXT
);
CREATE TABLE IF NOT EXISTS notices (key TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS migrations (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS watches (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    actor TEXT NOT NULL,
    topic TEXT,
    key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (chat_id, key)
);
CREATE TABLE IF NOT EXISTS watch_quiet (chat_id INTEGER PRIMARY KEY, at TEXT NOT NULL);
-- One alert per statement and chat: `articles` are the ids of the reports it lists (JSON), `message_id` the
-- message that shows it (NULL when quiet mode sent it to the digest instead).
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    watch_id INTEGER,
    articles TEXT NOT NULL,
    message_id INTEGER,
    at TEXT NOT NULL
);
-- The statements each alert covers, by a key that survives re-extraction (article id and words).
CREATE TABLE IF NOT EXISTS alerted (
    chat_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    alert_id INTEGER NOT NULL,
    PRIMARY KEY (chat_id, key)
);
"""


@dataclass(frozen=True, slots=True)
class Watch:
    id: int
    chat_id: int
    actor: str
    topic: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    chat_id: int
    articles: frozenset[int]
    message_id: int | None


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    hour: int
    minute: int
    timezone: str


class BotState(SqliteStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    async def subscribe(self, chat_id: int, hour: int, minute: int, timezone: str) -> Subscription:
        now = datetime.now(UTC).isoformat()
        await self._run(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO subscriptions(chat_id, hour, minute, timezone, created_at) "
                "VALUES (?,?,?,?,?)",
                (chat_id, hour, minute, timezone, now),
            )
        )
        return Subscription(chat_id, hour, minute, timezone)

    async def unsubscribe(self, chat_id: int) -> bool:
        return await self._run(
            lambda c: c.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)).rowcount > 0
        )

    async def subscriptions(self) -> list[Subscription]:
        rows = await self._run(
            lambda c: c.execute(
                "SELECT chat_id, hour, minute, timezone FROM subscriptions ORDER BY chat_id"
            ).fetchall()
        )
        return [Subscription(*r) for r in rows]

    async def subscription(self, chat_id: int) -> Subscription | None:
        row = await self._run(
            lambda c: c.execute(
                "SELECT chat_id, hour, minute, timezone FROM subscriptions WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        )
        return Subscription(*row) if row else None

    async def last_digest_at(self, chat_id: int) -> datetime | None:
        row = await self._run(
            lambda c: c.execute("SELECT last_digest_at FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def set_last_digest_at(self, chat_id: int, when: datetime) -> None:
        await self._run(
            lambda c: c.execute(
                "INSERT INTO chats(chat_id, last_digest_at) VALUES (?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET last_digest_at = excluded.last_digest_at",
                (chat_id, when.astimezone(UTC).isoformat()),
            )
        )

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group that became a supergroup gets a new id; its subscription and history move with it, and
        the move is kept, so the new id is let in after a restart as the old one was."""
        now = datetime.now(UTC).isoformat()

        def tx(c: sqlite3.Connection) -> None:
            c.execute(
                "INSERT OR REPLACE INTO migrations(old_id, new_id, at) VALUES (?, ?, ?)",
                (old_id, new_id, now),
            )
            c.execute("UPDATE OR REPLACE subscriptions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            c.execute("UPDATE OR REPLACE chats SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            for table in ("watches", "watch_quiet", "alerts", "alerted"):
                c.execute(f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))

        await self._run(self._tx(tx))

    async def migrations(self) -> list[tuple[int, int]]:
        """Every (old id, new id) move recorded, oldest first."""
        rows = await self._run(
            lambda c: c.execute("SELECT old_id, new_id FROM migrations ORDER BY at").fetchall()
        )
        return [(int(old), int(new)) for old, new in rows]

    async def notice_once(self, key: str) -> bool:
        """True the first time a key is seen since it was last cleared (across restarts): for alerts that
        must not repeat while their cause lasts."""
        now = datetime.now(UTC).isoformat()
        return await self._run(
            lambda c: (
                c.execute("INSERT OR IGNORE INTO notices(key, at) VALUES (?, ?)", (key, now)).rowcount > 0
            )
        )

    async def clear_notice(self, key: str) -> bool:
        """The cause of a notice is over: the next `notice_once(key)` is True again. True if it was set."""
        return await self._run(lambda c: c.execute("DELETE FROM notices WHERE key = ?", (key,)).rowcount > 0)

    # ---- watched actors ------------------------------------------------------------------------------------

    async def watch(self, chat_id: int, actor: str, topic: str | None, key: str) -> tuple[Watch, bool]:
        """Watch `actor` (on `topic`) in this chat; `key` names the watch (the same key is the same watch).
        The watch and whether it is new."""
        now = datetime.now(UTC).isoformat()

        def tx(c: sqlite3.Connection) -> tuple[Watch, bool]:
            added = c.execute(
                "INSERT OR IGNORE INTO watches(chat_id, actor, topic, key, created_at) VALUES (?,?,?,?,?)",
                (chat_id, actor, topic, key, now),
            ).rowcount > 0
            row = c.execute(
                f"SELECT {_WATCH_COLS} FROM watches WHERE chat_id = ? AND key = ?", (chat_id, key)
            ).fetchone()
            return _watch(row), added

        return await self._run(self._tx(tx))

    async def unwatch(self, chat_id: int, watch_id: int | None = None) -> int:
        """Stop one watch of this chat (by id), or all of them; how many stopped."""
        if watch_id is None:
            return await self._run(
                lambda c: c.execute("DELETE FROM watches WHERE chat_id = ?", (chat_id,)).rowcount
            )
        return await self._run(
            lambda c: c.execute(
                "DELETE FROM watches WHERE chat_id = ? AND id = ?", (chat_id, watch_id)
            ).rowcount
        )

    async def watches(self, chat_id: int | None = None) -> list[Watch]:
        """This chat's watches, oldest first; every chat's with None."""
        where, params = ("WHERE chat_id = ?", [chat_id]) if chat_id is not None else ("", [])
        rows = await self._run(
            lambda c: c.execute(
                f"SELECT {_WATCH_COLS} FROM watches {where} ORDER BY chat_id, id", params
            ).fetchall()
        )
        return [_watch(r) for r in rows]

    async def set_quiet(self, chat_id: int, quiet: bool) -> None:
        """Quiet mode: this chat's alerts wait for its digest instead of arriving as they happen."""
        now = datetime.now(UTC).isoformat()
        params: tuple[object, ...]
        if quiet:
            sql, params = "INSERT OR IGNORE INTO watch_quiet(chat_id, at) VALUES (?, ?)", (chat_id, now)
        else:
            sql, params = "DELETE FROM watch_quiet WHERE chat_id = ?", (chat_id,)
        await self._run(lambda c: c.execute(sql, params))

    async def quiet(self, chat_id: int) -> bool:
        return bool(
            await self._run(
                lambda c: c.execute("SELECT 1 FROM watch_quiet WHERE chat_id = ?", (chat_id,)).fetchone()
            )
        )

    async def alert_of(self, chat_id: int, keys: list[str]) -> Alert | None:
        """The alert that already covers any of these statement keys in this chat, if one does."""
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        row = await self._run(
            lambda c: c.execute(
                "SELECT a.id, a.chat_id, a.articles, a.message_id FROM alerted k JOIN alerts a "
                f"ON a.id = k.alert_id WHERE k.chat_id = ? AND k.key IN ({marks}) ORDER BY a.id LIMIT 1",
                [chat_id, *keys],
            ).fetchone()
        )
        return _alert(row) if row else None

    async def record_alert(
        self, chat_id: int, watch_id: int | None, keys: list[str], articles: list[int]
    ) -> Alert | None:
        """Claim these statements for a new alert in this chat, before it is sent: a crash after this point
        loses the alert rather than sending it twice. None when another alert claimed one of them first."""
        now = datetime.now(UTC).isoformat()

        def tx(c: sqlite3.Connection) -> Alert | None:
            cur = c.execute(
                "INSERT INTO alerts(chat_id, watch_id, articles, at) VALUES (?,?,?,?)",
                (chat_id, watch_id, json.dumps(sorted(articles)), now),
            )
            alert_id = int(cur.lastrowid or 0)
            for key in keys:
                if c.execute(
                    "INSERT OR IGNORE INTO alerted(chat_id, key, alert_id) VALUES (?,?,?)",
                    (chat_id, key, alert_id),
                ).rowcount == 0:
                    raise _Claimed
            return Alert(alert_id, chat_id, frozenset(articles), None)

        try:
            return await self._run(self._tx(tx))
        except _Claimed:
            return None

    async def update_alert(
        self,
        alert_id: int,
        *,
        message_id: int | None = None,
        keys: Sequence[str] = (),
        articles: Sequence[int] = (),
    ) -> None:
        """The alert's message, once sent; or the statements and reports it lists, once it grows."""

        def tx(c: sqlite3.Connection) -> None:
            row = c.execute("SELECT chat_id, articles FROM alerts WHERE id = ?", (alert_id,)).fetchone()
            if row is None:
                return
            known = set(json.loads(row[1])) | set(articles)
            c.execute("UPDATE alerts SET articles = ? WHERE id = ?", (json.dumps(sorted(known)), alert_id))
            if message_id is not None:
                c.execute("UPDATE alerts SET message_id = ? WHERE id = ?", (message_id, alert_id))
            c.executemany(
                "INSERT OR IGNORE INTO alerted(chat_id, key, alert_id) VALUES (?,?,?)",
                [(row[0], key, alert_id) for key in keys],
            )

        await self._run(self._tx(tx))


class _Claimed(Exception):
    """Another alert already covers one of the statements (rolls the claim back)."""


_WATCH_COLS = "id, chat_id, actor, topic, created_at"


def _watch(row: sqlite3.Row) -> Watch:
    topic = row["topic"]
    return Watch(
        int(row["id"]), int(row["chat_id"]), str(row["actor"]), str(topic) if topic else None,
        datetime.fromisoformat(str(row["created_at"])),
    )  # fmt: skip


def _alert(row: sqlite3.Row) -> Alert:
    message = row["message_id"]
    articles = frozenset(int(a) for a in json.loads(str(row["articles"])))
    return Alert(int(row["id"]), int(row["chat_id"]), articles, int(message) if message else None)
