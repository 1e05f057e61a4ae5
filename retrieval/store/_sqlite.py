"""One SQLite connection behind an async facade: calls run in a worker thread, one at a time."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# Two processes opening one new file at once (the bot and the CLI) both switch it to WAL and create its
# tables; SQLite answers "database is locked" to the loser of that race without waiting, so it tries again.
_OPEN_ATTEMPTS = 50


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value


def retry_while_locked(step: Callable[[], None]) -> None:
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.05 + 0.01 * attempt)


class SqliteStore:
    """WAL mode, the schema applied at open; subclasses add their queries on top of `_run` and `_tx`.

    A store opened with a `version` keeps it as `schema_version` in a `meta(key, value)` table that its
    schema must create. The stored version is read before anything is written, so a file laid out by a
    newer release is refused untouched rather than half-migrated by this release's CREATE statements.
    """

    #: Raised when the file's schema version cannot be read by this release; subclasses narrow it.
    version_error: type[Exception] = RuntimeError
    #: How the file is named in that error ("library schema 3").
    kind = "database"

    def __init__(self, path: Path, schema: str, *, version: int | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        # SQLite's lower() and LIKE fold ASCII letters only; names, roles and outlets come in every script.
        self._conn.create_function("casefold", 1, _casefold, deterministic=True)
        self._lock = threading.Lock()
        with self._lock:
            if version is not None:
                try:
                    self._refuse_unreadable_version(version)
                except BaseException:
                    self._conn.close()
                    raise
            # Switching to WAL rewrites the file header, so it too waits until the version check passed.
            retry_while_locked(lambda: self._open_schema(schema, version))

    def _open_schema(self, schema: str, version: int | None) -> None:
        if self._conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(schema)
        if version is not None:
            self._conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(version),)
            )

    def _refuse_unreadable_version(self, version: int) -> None:
        has_meta = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if not has_meta:
            return  # a fresh file: the schema creates meta and the current version goes in
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            return
        stored = str(row[0]).strip()
        if not (stored.isascii() and stored.isdigit()):
            raise self.version_error(
                f"{self.path} has an unreadable {self.kind} schema version {stored!r}; the file is damaged "
                "or was not written by briefbot. Restore a backup made by this release."
            )
        if int(stored) > version:
            raise self.version_error(
                f"{self.path} was written by a newer briefbot ({self.kind} schema {int(stored)}; this "
                f"release reads up to {version}). Upgrade briefbot, or restore a backup made by this release."
            )

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
                result = fn(self._conn)
                # A cursor handed back to the event loop would be finalised there, whenever it is collected,
                # on the connection another thread may be using: SQLite calls that misuse (`InterfaceError`,
                # seen under many concurrent feed polls). Closed here, its rowcount and lastrowid still read.
                if isinstance(result, sqlite3.Cursor):
                    result.close()
                return result

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
