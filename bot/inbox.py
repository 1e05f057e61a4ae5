"""Links, forwards and documents a chat sends are kept on disk before Telegram is told they arrived.

Telegram hands an update over once: the next `getUpdates` (or the webhook's 200) acknowledges it, and a bot
killed while it fetches the links would lose them, with no card ever sent. Every update that adds articles is
written to the inbox inside the update queue's `put`, which the poller (and the webhook server) awaits before
it acknowledges anything; a handler at the end of the chain marks it done. At start-up, whatever is still in
the inbox is handled again, and its card is sent then.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from retrieval.store import SqliteStore

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    update_id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
"""

#: An update whose handling killed the bot this many times is dropped, not handled again forever.
MAX_ATTEMPTS = 3
#: Older requests are stale: the chat has moved on, and Telegram would no longer accept a reply to them.
MAX_AGE = timedelta(days=2)


class Inbox(SqliteStore):
    """The updates that add articles, from arrival until their card is sent (bot.sqlite3, table inbox)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    async def hold(self, update: Update) -> None:
        assert update.effective_chat is not None
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        now = datetime.now(UTC).isoformat()
        await self._run(
            lambda c: c.execute(
                "INSERT OR IGNORE INTO inbox(update_id, chat_id, payload, received_at) VALUES (?,?,?,?)",
                (update.update_id, update.effective_chat.id if update.effective_chat else 0, payload, now),
            )
        )

    async def done(self, update_id: int) -> None:
        await self._run(lambda c: c.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,)))

    async def take_pending(self) -> list[dict[str, Any]]:
        """Updates left unhandled by the last run, oldest first, each counted as one more attempt. Those
        that were tried too often, or are too old, are dropped (and logged)."""
        cutoff = (datetime.now(UTC) - MAX_AGE).isoformat()

        def tx(c: sqlite3.Connection) -> list[dict[str, Any]]:
            for update_id, chat_id, attempts in c.execute(
                "SELECT update_id, chat_id, attempts FROM inbox WHERE attempts >= ? OR received_at < ?",
                (MAX_ATTEMPTS, cutoff),
            ).fetchall():
                log.warning("dropping update %s of chat %s after %s attempts", update_id, chat_id, attempts)
            c.execute("DELETE FROM inbox WHERE attempts >= ? OR received_at < ?", (MAX_ATTEMPTS, cutoff))
            c.execute("UPDATE inbox SET attempts = attempts + 1")
            rows = c.execute("SELECT payload FROM inbox ORDER BY update_id").fetchall()
            return [json.loads(r[0]) for r in rows]

        return await self._run(self._tx(tx))


class HoldingQueue(asyncio.Queue[object]):
    """The application's update queue: updates that add articles go into the inbox before they are queued.

    `put` is what PTB's poller and webhook server await before acknowledging an update to Telegram.
    `wanted` says which updates to keep (links or forwards from a chat the bot serves); until an inbox is
    attached (post_init), nothing is kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self.inbox: Inbox | None = None
        self.wanted: Callable[[Update], bool] = lambda update: False

    async def put(self, item: object) -> None:
        if self.inbox is not None and isinstance(item, Update) and self.wanted(item):
            try:
                await self.inbox.hold(item)
            except Exception as exc:  # the disk failing must not stop the bot taking updates
                log.warning("could not keep update %s in the inbox: %s", item.update_id, exc)
        await super().put(item)
