"""The dense index of chunks in Chroma: embedded (a local folder) or a Chroma server."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from retrieval.errors import BackendUnavailable

from ._records import SHARED_SCOPE, SearchFilters

log = logging.getLogger(__name__)
T = TypeVar("T")

# How SQLite reports a file that is not, or no longer, a sound database. Other failures to open are not
# treated as damage: moving a store aside because of, say, a permission error would only hide the cause.
_DAMAGE_MARKERS = ("file is not a database", "malformed", "corrupt")

# Written in the data dir around the start-up read-back search of an embedded store. A garbled HNSW file can
# make Chroma's native code segfault during that search, which no handler survives; without this marker every
# start would die in the same place. Found at the next open, it means the last start died there, so the store
# is replaced like any other damaged one. A kill during the probe (an impatient operator) costs a rebuild,
# never data: the library holds everything the store is built from.
PROBE_MARKER = "chroma.probe"
# A rebuild fills a collection named like the live one plus this and four hex digits, then renames it to the
# live name (see DenseIndex.shadow). The live name is at most 60 characters, Chroma allows 63.
SHADOW_MARK = "_rb"
_SHADOW_NAME = re.compile(rf"{SHADOW_MARK}[0-9a-f]{{4}}$")


class DenseIndexError(BackendUnavailable):
    """The dense index is unavailable or does not fit the configured embedder."""

    service = "the article index"


class IndexLockedError(DenseIndexError):
    pass


class IndexMismatchError(DenseIndexError):
    pass


@dataclass(slots=True)
class DenseEntry:
    chunk_id: str
    article_id: int
    published_ts: int | None
    outlet: str
    scope: str


def collection_name(embedder_id: str, dim: int) -> str:
    base = re.sub(r"[^a-zA-Z0-9_-]+", "-", embedder_id).strip("-_") or "embedder"
    return f"chunks_{base}_{dim}"[:60]


class _DataDirLock:
    """An exclusive advisory lock on the data dir: an embedded Chroma store must have a single writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise IndexLockedError(
                f"the data dir {self.path.parent} is in use by {holder}. The embedded Chroma store is "
                "single-process: stop the other briefbot process, or run a Chroma server (CHROMA_HOST) "
                "so several processes can share the index."
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"briefbot pid {os.getpid()}")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def _write_marker(path: Path) -> None:
    with path.open("w") as fh:
        fh.write(f"briefbot pid {os.getpid()} at {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n")
        fh.flush()
        os.fsync(fh.fileno())


class _DamagedStore(Exception):
    pass


def _close_client(client: Any) -> None:
    close = getattr(client, "close", None)  # releases the cached system (chromadb >= 1.4)
    if close is not None:
        try:
            close()
        except Exception as exc:
            log.debug("closing the Chroma client failed: %s", exc)


def _open_store(path: Path) -> Any:
    """A Chroma client on the folder, or _DamagedStore when its files are not a sound store."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings

    try:
        client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
    except BaseException as exc:
        # Chroma's Rust core reports some damaged files as a panic, which is not an Exception.
        panic = type(exc).__name__ == "PanicException"
        if not panic and not (
            isinstance(exc, Exception) and any(m in str(exc).lower() for m in _DAMAGE_MARKERS)
        ):
            raise
        # Chroma caches one system per folder, even one that failed to start; reopening needs it gone.
        getattr(SharedSystemClient, "_identifier_to_system", {}).pop(str(path), None)
        raise _DamagedStore(str(exc)) from exc
    try:
        # A store can open and still fail on its first read, e.g. with a corrupt page deep in its SQLite file.
        for collection in client.list_collections():
            collection.count()
    except Exception as exc:
        _close_client(client)
        getattr(SharedSystemClient, "_identifier_to_system", {}).pop(str(path), None)
        raise _DamagedStore(str(exc)) from exc
    return client


class DenseIndex:
    """Chunk vectors with the metadata that search filters on. Chroma calls run in worker threads."""

    def __init__(
        self,
        client: Any,
        name: str,
        *,
        mode: str,
        lock: _DataDirLock | None = None,
        probe_marker: Path | None = None,
    ) -> None:
        self._client = client
        self.name = name
        self.mode = mode
        self._lock = lock
        self._probe_marker = probe_marker
        # A live collection replaced by another process is looked up again by name (see `_run`); a shadow
        # that disappears was removed by a newer rebuild, and its own rebuild must stop.
        self._replaceable = True
        self._collection = self._get_or_create()

    def _get_or_create(self) -> Any:
        return self._client.get_or_create_collection(
            self.name,
            embedding_function=None,
            # Higher ef than Chroma's default keeps approximate search close to exact at our sizes.
            configuration={"hnsw": {"space": "cosine", "ef_search": 200, "ef_construction": 200}},
        )

    @classmethod
    def open_embedded(cls, path: Path, name: str) -> DenseIndex:
        lock = _DataDirLock(path.parent / "briefbot.lock")
        lock.acquire()  # first: a process that does not hold the lock must leave the marker alone
        marker = path.parent / PROBE_MARKER
        try:
            try:
                if marker.exists():
                    raise _DamagedStore(
                        f"{marker.name} shows the last start died while searching it, "
                        "likely on a garbled vector file"
                    )
                client = _open_store(path)
            except _DamagedStore as exc:
                # The store only holds what the library can recompute, so a fresh one loses nothing:
                # open_services finds it short and rebuilds it. The damaged folder is kept for inspection.
                if path.exists():
                    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
                    aside = path.with_name(f"{path.name}.damaged-{stamp}")
                    path.rename(aside)
                    log.warning(
                        "the Chroma store at %s is damaged (%s); moved it to %s", path, exc, aside.name
                    )
                marker.unlink(missing_ok=True)
                client = _open_store(path)
            return cls(client, name, mode="embedded", lock=lock, probe_marker=marker)
        except Exception as exc:
            lock.release()
            raise DenseIndexError(f"cannot open the Chroma store at {path}: {exc}") from exc

    @classmethod
    def open_server(
        cls,
        host: str,
        port: int,
        name: str,
        *,
        token: str | None = None,
        ssl: bool = False,
        tenant: str = "default_tenant",
        database: str = "default_database",
    ) -> DenseIndex:
        """A Chroma server: safe for several processes at once. The database is created when missing."""
        import chromadb
        from chromadb.config import Settings

        headers = {"Authorization": f"Bearer {token}"} if token else None
        settings = Settings(anonymized_telemetry=False)

        def connect() -> Any:
            return chromadb.HttpClient(
                host=host,
                port=port,
                ssl=ssl,
                headers=headers,
                tenant=tenant,
                database=database,
                settings=settings,
            )

        try:
            try:
                client = connect()
            except Exception as exc:
                if "database" not in str(exc).lower():
                    raise
                admin = chromadb.AdminClient(
                    Settings(
                        chroma_api_impl="chromadb.api.fastapi.FastAPI",
                        chroma_server_host=host,
                        chroma_server_http_port=port,
                        chroma_server_ssl_enabled=ssl,
                        chroma_server_headers=headers,
                        anonymized_telemetry=False,
                    )
                )
                try:
                    admin.create_database(database, tenant)
                except Exception as create_exc:
                    # Another process (the bot and the CLI starting together) created it first.
                    if "already exists" not in str(create_exc).lower():
                        raise
                client = connect()
            client.heartbeat()
            return cls(client, name, mode="server")
        except Exception as exc:
            raise DenseIndexError(
                f"cannot use the Chroma server at {host}:{port} ({database}): {exc}"
            ) from exc

    def close(self) -> None:
        if self.mode == "embedded":
            # Chroma keeps one system per folder for the life of the process; a later open of the same folder
            # (after a restore, or once the folder was deleted) must not get this one back.
            _close_client(self._client)
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def other_collections(self) -> list[str]:
        names = [getattr(c, "name", c) for c in self._client.list_collections()]
        return [
            n for n in names
            if n != self.name and str(n).startswith("chunks_") and not _SHADOW_NAME.search(str(n))
        ]  # fmt: skip

    async def upsert(self, entries: Sequence[DenseEntry], vectors: np.ndarray) -> None:
        if not entries:
            return
        metadatas: list[dict[str, Any]] = []
        for e in entries:
            meta: dict[str, Any] = {"article_id": e.article_id, "outlet": e.outlet.lower(), "scope": e.scope}
            if e.published_ts is not None:
                meta["published_ts"] = e.published_ts
            metadatas.append(meta)
        ids = [e.chunk_id for e in entries]
        embeddings = vectors.astype(np.float32).tolist()
        await self._run(lambda: self._collection.upsert(ids=ids, embeddings=embeddings, metadatas=metadatas))

    async def delete_article(self, article_id: int) -> None:
        await self._run(lambda: self._collection.delete(where={"article_id": article_id}))

    async def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        if chunk_ids:
            await self._run(lambda: self._collection.delete(ids=list(chunk_ids)))

    async def chunk_ids(self) -> set[str]:
        """Every chunk id in the collection (paged: one call per 5,000)."""

        def scan() -> set[str]:
            ids: set[str] = set()
            offset, page = 0, 5000
            while True:
                got = self._collection.get(include=[], limit=page, offset=offset)
                ids.update(got["ids"])
                if len(got["ids"]) < page:
                    return ids
                offset += page

        return await self._run(scan)

    async def set_scope(self, article_id: int, scope: str) -> None:
        def update() -> None:
            got = self._collection.get(where={"article_id": article_id}, include=["metadatas"])
            if not got["ids"]:
                return
            metas = [dict(m or {}, scope=scope) for m in got["metadatas"]]
            self._collection.update(ids=got["ids"], metadatas=metas)

        await self._run(update)

    async def count(self) -> int:
        return int(await self._run(lambda: self._collection.count()))

    async def read_back(self, chunk_ids: Sequence[str]) -> str | None:
        """None if these chunks read back and each is among its own nearest neighbours; else what failed.

        `count` comes from Chroma's SQLite metadata and stays right when the vector files are lost or garbled;
        only reading vectors back and searching with them notices that. An embedded store is searched with
        PROBE_MARKER on disk, removed only once the check returns.
        """
        marker = self._probe_marker
        if marker is not None:
            await asyncio.to_thread(_write_marker, marker)
        problem = await self._read_back(chunk_ids)
        if marker is not None:
            await asyncio.to_thread(marker.unlink, missing_ok=True)
        return problem

    async def _read_back(self, chunk_ids: Sequence[str]) -> str | None:
        try:
            got = await self.vectors(chunk_ids)
            if missing := [c for c in chunk_ids if c not in got]:
                return f"{len(missing)} of {len(chunk_ids)} sampled vectors cannot be read"
            for chunk_id, vector in got.items():
                hits = await self.query(vector, 5)
                # An identical vector of another chunk (a paragraph two articles share) may outrank this one;
                # a sound index still returns something at cosine ~1, a garbled one does not.
                if chunk_id not in [found for found, _ in hits] and not (hits and hits[0][1] >= 0.999):
                    return f"the vector of {chunk_id} does not find itself"
        except Exception as exc:
            return f"reading vectors back failed: {exc}"
        return None

    async def article_ids(self) -> set[int]:
        def scan() -> set[int]:
            ids: set[int] = set()
            offset, page = 0, 5000
            while True:
                got = self._collection.get(include=["metadatas"], limit=page, offset=offset)
                for m in got["metadatas"] or []:
                    if m and "article_id" in m:
                        ids.add(int(m["article_id"]))
                if len(got["ids"]) < page:
                    return ids
                offset += page

        return await self._run(scan)

    async def shadow(self) -> DenseIndex:
        """An empty collection beside this one to rebuild into while this one keeps serving.

        Shadows left by earlier rebuilds are removed first: one that crashed, or one still running in
        another process, which then fails rather than swap in an index this one also builds.
        """

        def make() -> DenseIndex:
            prefix = f"{self.name[:56]}{SHADOW_MARK}"
            for collection in self._client.list_collections():
                name = str(getattr(collection, "name", collection))
                if name.startswith(prefix) and _SHADOW_NAME.search(name):
                    with contextlib.suppress(Exception):
                        self._client.delete_collection(name)
            shadow = DenseIndex(self._client, f"{prefix}{secrets.token_hex(2)}", mode=self.mode)
            shadow._replaceable = False
            return shadow

        return await asyncio.to_thread(make)

    async def take_over(self, shadow: DenseIndex, *, name: str | None = None) -> None:
        """Put a rebuilt shadow in this collection's place, under this collection's name or `name`.

        Chroma cannot swap two collections at once: for a moment the name is free. Other processes only
        look the name up (see `_run`), never create it, so at worst one of their calls fails meanwhile.
        Under a new name (an embedder's new build), this index moves to it and the old collection is dropped.
        """

        def swap() -> None:
            # Gone when a newer rebuild removed it: this one must not then remove the live index.
            rebuilt = self._client.get_collection(shadow.name, embedding_function=None)
            final, old = name or self.name, self.name
            with contextlib.suppress(Exception):
                self._client.delete_collection(final)  # the live index, or a stale one under the new name
            rebuilt.modify(name=final)
            self.name, self._collection = final, rebuilt
            if old != final:
                with contextlib.suppress(Exception):
                    self._client.delete_collection(old)

        try:
            await asyncio.to_thread(swap)
        except Exception as exc:
            raise DenseIndexError(f"could not put the rebuilt index in place: {exc}") from exc

    @staticmethod
    def where(filters: SearchFilters) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if filters.since is not None:
            clauses.append({"published_ts": {"$gte": int(filters.since.timestamp())}})
        if filters.until is not None:
            clauses.append({"published_ts": {"$lte": int(filters.until.timestamp())}})
        if filters.outlet:
            clauses.append({"outlet": filters.outlet.lower()})
        if filters.scope is not None:
            clauses.append({"scope": {"$in": [filters.scope, SHARED_SCOPE]}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    async def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not chunk_ids:
            return {}

        def get() -> dict[str, np.ndarray]:
            got = self._collection.get(ids=list(chunk_ids), include=["embeddings"])
            embs = got["embeddings"] if got["embeddings"] is not None else []
            return {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], embs, strict=False)}

        return await self._run(get)

    async def query(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk id, cosine similarity), best first."""

        def run() -> list[tuple[str, float]]:
            total = self._collection.count()
            if total == 0:
                return []
            got = self._collection.query(
                query_embeddings=[vector.astype(np.float32).tolist()],
                n_results=min(n, total),
                where=where,
                include=["distances"],
            )
            ids = got["ids"][0] if got["ids"] else []
            dists = got["distances"][0] if got["distances"] else []
            return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=False)]

        try:
            return await self._run(run)
        except Exception as exc:
            raise DenseIndexError(f"dense search failed: {exc}") from exc

    async def _run(self, work: Callable[[], T]) -> T:
        """`work` in a worker thread, once more on a fresh handle if the collection was replaced.

        Processes sharing a Chroma server each hold a handle to the collection by id. A `briefbot reindex`
        from the CLI replaces it with a rebuilt one under the same name; without this, a running bot would
        search with keywords only and fail to store articles until restarted.
        """

        def attempt() -> T:
            try:
                return work()
            except Exception as exc:
                if not self._replaceable or "does not exist" not in str(exc):
                    raise
                log.info(
                    "the Chroma collection %s was replaced by another process; using the new one", self.name
                )
                self._collection = self._client.get_collection(self.name, embedding_function=None)
                return work()

        return await asyncio.to_thread(attempt)
