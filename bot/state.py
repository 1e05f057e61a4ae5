"""Per-chat state that must survive restarts: digest subscriptions, last digest time, one-off notices."""

from __future__ import annotations

import sqlite3
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
"""


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
