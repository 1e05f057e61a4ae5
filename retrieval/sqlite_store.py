"""One SQLite connection behind an async facade: calls run in a worker thread, one at a time."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class SqliteStore:
    """WAL mode, the schema applied at open; subclasses add their queries on top of `_run` and `_tx`."""

    def __init__(self, path: Path, schema: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(schema)

    async def backup(self, target: Path) -> None:
        """Online backup: a consistent copy, taken while other connections keep reading and writing."""

        def copy(c: sqlite3.Connection) -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            dest = sqlite3.connect(target)
            try:
                c.backup(dest)
            finally:
                dest.close()

        await self._run(copy)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            with self._lock:
                return fn(self._conn)

        return await asyncio.to_thread(call)

    @staticmethod
    def _tx(fn: Callable[[sqlite3.Connection], T]) -> Callable[[sqlite3.Connection], T]:
        """Wrap `fn` in one write transaction, rolled back if it raises."""

        def wrapped(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        return wrapped
