"""Crashes and damage: `briefbot ingest` killed with SIGKILL mid-run, a lost or corrupted Chroma folder, and
per-chat state across a full bot restart. Start-ups are real processes (the CLI) where it matters.

What is checked after each mishap goes through the product's own APIs (open_services, Library, DenseIndex,
Searcher); `inspect_store` below runs them in a fresh process so no Chroma client cached in the test
process can hide what is on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.services import open_services
from bot.settings import Settings
from retrieval.embed import LocalEmbedder
from retrieval.ingest._ingestor import FOLDER_BATCH_ARTICLES
from retrieval.store._index import PROBE_MARKER
from tests.support.bot_env import links_in
from tests.support.cli import briefbot
from tests.support.corpus import CORPUS, TURBINES_PAGE, make_settings
from tests.support.telegram_server import BotApiServer
from tests.support.tg_env import ALICE, BOB, html_of, running_bot, wait_until
from tests.support.web_site import serve_pages

REPO = Path(__file__).resolve().parents[2]
N_ARTICLES = 60

_PLACES = "Arden Brisk Calder Dunmore Elstow Fenwick Galloway Harrow Ilkley Jarrow Kelso Lanark".split()
_THINGS = (
    "ferry tunnel orchard reservoir lighthouse quarry windmill library clinic bakery stadium canal "
    "glacier vineyard railway market pension museum harbour bridge"
).split()
_DEEDS = "approved delayed funded rejected inspected reopened closed expanded repaired studied".split()


def article_text(i: int) -> tuple[str, str]:
    """A short article (one passage) about its own made-up place, and its first sentence."""
    rng = random.Random(i)
    place = f"{rng.choice(_PLACES)}{i:02d}"
    thing, other = rng.sample(_THINGS, 2)
    lead = (
        f"The {place} council {rng.choice(_DEEDS)} the {thing} plan on day {rng.randint(1, 900)}, "
        f"after {rng.randint(3, 90)} residents wrote about the {other}."
    )
    rest = " ".join(
        f"{place} officials {rng.choice(_DEEDS)} the {rng.choice(_THINGS)} budget item {rng.randint(1, 999)}."
        for _ in range(6)
    )
    body = (
        f"date 2025-03-{1 + i % 28:02d}\nurl https://crash.example/{i}\ntitle {place} and its {thing}\n\n"
        f"{lead} {rest}\n"
    )
    return body, lead


def write_articles(folder: Path, n: int) -> dict[int, str]:
    folder.mkdir(parents=True)
    leads = {}
    for i in range(n):
        body, leads[i] = article_text(i)
        (folder / f"a{i:02d}.txt").write_text(body)
    return leads


async def inspect_store(data_dir: str, mode: str, *queries: str) -> dict[str, Any]:
    """Open the store as a start-up would (`mode` "repair") or as it lies on disk ("raw"), and audit it."""
    svc = await open_services(Settings(_env_file=None, data_dir=Path(data_dir)), repair=mode == "repair")  # type: ignore[call-arg]
    try:
        lib, index = svc.library, svc.index
        articles = await lib.list_articles(limit=1_000_000)
        incomplete, visible_pending = [], []
        for article_id in await lib.indexed_article_ids():
            ids = [r.chunk_id for r in await lib.article_chunks(article_id)]
            if not ids or set(await index.vectors(ids)) != set(ids):
                incomplete.append(article_id)
        pending = await lib.pending_articles()
        for article_id in pending:
            ids = [r.chunk_id for r in await lib.article_chunks(article_id)]
            if await lib.chunk_records(ids):  # what search would see
                visible_pending.append(article_id)
        tops = []
        for query in queries:
            hits = await svc.searcher.search(query, k=1, mode="dense")
            tops.append(hits[0].url if hits else None)
        return {
            "stats": await lib.stats(),
            "vectors": await index.count(),
            "incomplete": incomplete,
            "pending": pending,
            "visible_pending": visible_pending,
            "orphans": sorted(await index.article_ids() - {a.id for a in articles}),
            "duplicate_urls": len(articles) - len({a.url for a in articles}),
            "duplicate_texts": len(articles) - len({a.content_hash for a in articles}),
            "tops": tops,
        }
    finally:
        await svc.aclose()


async def pad_index(data_dir: str, count: str) -> int:
    """Add random vectors to the dense index, past the size at which Chroma keeps its HNSW graph in files."""
    import numpy as np

    from bot.services import EMBEDDER_META_KEY
    from retrieval.store import DenseEntry, DenseIndex, Library

    settings = Settings(_env_file=None, data_dir=Path(data_dir))  # type: ignore[call-arg]
    library = Library(settings.library_path)
    try:
        name = await library.get_meta(EMBEDDER_META_KEY)
    finally:
        library.close()
    assert name, "the store records the index it was embedded into"
    dim = int(name.rsplit("_", 1)[1])  # the index is named chunks_<embedder>_<size>
    index = DenseIndex.open_embedded(settings.chroma_path, name)
    try:
        vectors = np.random.default_rng(0).normal(size=(int(count), dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        entries = [DenseEntry(f"pad-{i}", -1 - i, None, "padding", "*") for i in range(int(count))]
        await index.upsert(entries, vectors)
        return await index.count()
    finally:
        index.close()


def in_fresh_process(function: str, *args: str) -> Any:
    """Run one of this module's async functions in a new interpreter (a real start-up); its JSON result."""
    code = (
        "import asyncio, json, sys; import tests.hostile.test_crash as m; "
        "print(json.dumps(asyncio.run(getattr(m, sys.argv[1])(*sys.argv[2:]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, function, *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def inspect(data: Path, mode: str, *queries: str) -> dict[str, Any]:
    return in_fresh_process("inspect_store", str(data), mode, *queries)  # type: ignore[no-any-return]


def _library_counts(path: Path) -> tuple[int, int]:
    """(articles, of which not yet indexed), read straight from the file the running ingest writes."""
    if not path.exists():
        return 0, 0
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as conn:
        try:
            sql = "SELECT COUNT(*), COALESCE(SUM(indexed = 0), 0) FROM articles"
            total, pending = conn.execute(sql).fetchone()
        except sqlite3.OperationalError:  # the schema is being created
            return 0, 0
    return int(total), int(pending)


def ingest_until_killed(data: Path, folder: Path, *, at_least: int, at_most: int) -> tuple[int, int]:
    """Run `briefbot ingest` and SIGKILL it once `at_least` articles are stored, preferably while one of
    them is stored but not yet indexed. Returns the counts seen just before the kill."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--data-dir", str(data), "ingest", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                total, pending = _library_counts(data / "library.sqlite3")
            except sqlite3.Error:
                total, pending = 0, 0
            if (total >= at_least and pending) or total >= at_most:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                return total, pending
            time.sleep(0.002)
        raise AssertionError(f"ingest ended before it could be killed (exit {proc.poll()})")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---- SIGKILL during ingestion ---------------------------------------------------------------------------


def test_sigkill_during_ingest_then_restart_and_rerun(tmp_path: Path) -> None:
    folder, data = tmp_path / "articles", tmp_path / "data"
    leads = write_articles(folder, N_ARTICLES)
    seen_total, seen_pending = ingest_until_killed(data, folder, at_least=10, at_most=40)
    print(f"\n[crash] killed with {seen_total} articles stored, {seen_pending} of them not yet indexed")

    # As the kill left it: whatever is marked indexed has every vector; the rest is invisible to search.
    raw = inspect(data, "raw")
    assert 0 < raw["stats"]["articles"] < N_ARTICLES
    assert raw["incomplete"] == [] and raw["visible_pending"] == [] and raw["orphans"] == []
    # A folder is stored in batches: at most one batch can be written but not yet indexed.
    assert 0 < raw["stats"]["pending_articles"] == len(raw["pending"]) <= FOLDER_BATCH_ARTICLES

    # The next start-up (`briefbot stats`) finishes what was interrupted: library and index agree.
    cli = briefbot(data, "stats", "--json")
    assert cli.returncode == 0, cli.stderr
    stats = json.loads(cli.stdout)
    assert stats["articles"] == raw["stats"]["articles"] and stats["pending_articles"] == 0
    assert stats["dense_vectors"] == stats["indexed_chunks"] == stats["chunks"] > 0

    # Re-running the same command completes the job without storing anything twice.
    rerun = briefbot(data, "ingest", str(folder))
    assert rerun.returncode == 0, rerun.stderr
    outcomes = [line.split()[0] for line in rerun.stdout.splitlines() if line.strip()]
    assert outcomes.count("added") == N_ARTICLES - stats["articles"]
    assert outcomes.count("already") == stats["articles"]
    final = inspect(data, "raw", leads[N_ARTICLES - 1])
    fs = final["stats"]
    assert fs["articles"] == fs["indexed_articles"] == N_ARTICLES and fs["pending_articles"] == 0
    assert final["duplicate_urls"] == final["duplicate_texts"] == 0
    assert final["vectors"] == fs["chunks"] == fs["indexed_chunks"]
    assert final["incomplete"] == [] and final["orphans"] == []
    assert final["tops"] == [f"https://crash.example/{N_ARTICLES - 1}"]


# ---- a lost or damaged Chroma folder ---------------------------------------------------------------------

N_SMALL = 8
PADDING = 1500


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, str]]:
    """A data dir written by a finished `briefbot ingest` run, its index padded with random vectors so that
    Chroma keeps an HNSW graph on disk (below ~1000 vectors it only has its SQLite log).

    It is embedded with MiniLM alone, the model the in-process checks below share with the rest of the
    suite. Later CLI runs on copies of it keep MiniLM because the library records it (the upgrade path)."""
    root = tmp_path_factory.mktemp("stored")
    leads = write_articles(root / "articles", N_SMALL)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EMBEDDING_BACKEND", "local")
        done = briefbot(root / "data", "ingest", str(root / "articles"))
    assert done.returncode == 0, done.stderr
    assert in_fresh_process("pad_index", str(root / "data"), str(PADDING)) == N_SMALL + PADDING
    assert list((root / "data" / "chroma").glob("*/link_lists.bin"))
    return root / "data", leads


@pytest.fixture
def copied(stored: tuple[Path, dict[int, str]], tmp_path: Path) -> tuple[Path, dict[int, str]]:
    """A copy of the stored data dir for one test to damage."""
    template, leads = stored
    shutil.copytree(template, tmp_path / "data")
    return tmp_path / "data", leads


def _chroma_sqlite(data: Path) -> Path:
    return data / "chroma" / "chroma.sqlite3"


def _overwrite(path: Path, offset: int, length: int) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(random.Random(7).randbytes(length))


def _hnsw_files(data: Path) -> list[Path]:
    return [f for f in (data / "chroma").glob("*/*") if f.is_file() and f.stat().st_size]


def _delete_hnsw(data: Path) -> None:
    for segment in (data / "chroma").iterdir():
        if segment.is_dir():
            shutil.rmtree(segment)


DAMAGE: dict[str, Callable[[Path], object]] = {
    "intact": lambda d: None,
    "folder-deleted": lambda d: shutil.rmtree(d / "chroma"),
    "sqlite-garbage": lambda d: _chroma_sqlite(d).write_bytes(random.Random(1).randbytes(4096)),
    "sqlite-truncated": lambda d: os.truncate(_chroma_sqlite(d), 8192),
    # Everything but the first and the last page: the file still opens as SQLite.
    "sqlite-pages-corrupted": lambda d: _overwrite(
        _chroma_sqlite(d), 4096, _chroma_sqlite(d).stat().st_size - 8192
    ),
    "sqlite-deleted": lambda d: _chroma_sqlite(d).unlink(),
    "hnsw-garbage": lambda d: [
        f.write_bytes(random.Random(3).randbytes(f.stat().st_size)) for f in _hnsw_files(d)
    ],
    "hnsw-truncated": lambda d: [f.write_bytes(b"") for f in _hnsw_files(d)],
    "hnsw-deleted": _delete_hnsw,
}
# Broken HNSW files are read by native code; a crash there must fail the test, not end the test run.
IN_FRESH_PROCESS = {"hnsw-garbage", "hnsw-truncated", "hnsw-deleted"}


@pytest.mark.parametrize("damage", list(DAMAGE))
async def test_damaged_index_is_rebuilt_at_start_up(
    copied: tuple[Path, dict[int, str]], embedder: LocalEmbedder, damage: str
) -> None:
    data, leads = copied
    DAMAGE[damage](data)
    checks = [(leads[i], f"https://crash.example/{i}") for i in (0, N_SMALL - 1)]
    if damage in IN_FRESH_PROCESS:
        seen = inspect(data, "repair", *(query for query, _ in checks))
        assert seen["tops"] == [url for _, url in checks]
        stats, vectors = seen["stats"], seen["vectors"]
    else:
        # A fresh path per test: Chroma caches one client per folder for the life of the process.
        svc = await open_services(make_settings(data), embedder=embedder)
        try:
            for query, url in checks:
                [hit] = await svc.searcher.search(query, k=1, mode="dense")
                assert hit.url == url
            stats, vectors = await svc.library.stats(), await svc.index.count()
        finally:
            await svc.aclose()
    assert stats["articles"] == stats["indexed_articles"] == N_SMALL
    # Only a rebuild from the library drops the padding: an intact index is left alone.
    assert vectors == stats["indexed_chunks"] + (PADDING if damage == "intact" else 0)
    if damage in ("sqlite-garbage", "sqlite-truncated", "sqlite-pages-corrupted"):
        assert len(list(data.glob("chroma.damaged-*"))) == 1  # set aside for inspection, not deleted


def test_damaged_index_rebuilt_by_the_cli(copied: tuple[Path, dict[int, str]]) -> None:
    data, leads = copied
    DAMAGE["sqlite-garbage"](data)
    found = briefbot(data, "search", leads[3], "--json", "--k", "1")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["url"] == "https://crash.example/3"
    stats = json.loads(briefbot(data, "stats", "--json").stdout)
    assert stats["dense_vectors"] == stats["indexed_chunks"] > 0 and stats["pending_articles"] == 0


def _garble_level0(data: Path) -> None:
    """0xFF over the middle half of the HNSW vector file: neighbour counts and ids far out of range, which
    Chroma's native search follows into a segfault (checked with chromadb 1.5)."""
    [level0] = (data / "chroma").glob("*/data_level0.bin")
    size = level0.stat().st_size
    with level0.open("r+b") as fh:
        fh.seek(size // 4)
        fh.write(b"\xff" * (size // 2))


def test_a_start_killed_by_a_segfault_in_the_read_back_is_followed_by_a_rebuild(
    copied: tuple[Path, dict[int, str]],
) -> None:
    data, leads = copied
    _garble_level0(data)

    died = briefbot(data, "stats", "--json")
    assert died.returncode <= 0, died.stderr  # an error exit is a failure, not a Chroma that survives
    if died.returncode == 0:  # a Chroma release that survives this file leaves no crash to recover from
        pytest.skip(f"this Chroma does not crash on the garbled file (exit {died.returncode})")
    # Killed by a signal, not an exit: nothing in the process could have caught it.
    assert (data / PROBE_MARKER).read_text().startswith("briefbot pid ")

    started = briefbot(data, "stats", "--json")
    assert started.returncode == 0, started.stderr
    assert f"{PROBE_MARKER} shows the last start died while searching it" in started.stderr
    [aside] = data.glob("chroma.damaged-*")
    assert (aside / "chroma.sqlite3").exists()  # kept for inspection
    assert not (data / PROBE_MARKER).exists()
    stats = json.loads(started.stdout)
    assert stats["dense_vectors"] == stats["indexed_chunks"] == stats["chunks"] > 0
    assert stats["articles"] == stats["indexed_articles"] == N_SMALL

    found = briefbot(data, "search", leads[5], "--json", "--k", "1")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["url"] == "https://crash.example/5"
    assert inspect(data, "raw", leads[2])["tops"] == ["https://crash.example/2"]  # dense search alone
    assert not (data / PROBE_MARKER).exists() and len(list(data.glob("chroma.damaged-*"))) == 1


def test_a_marker_left_by_a_start_killed_in_its_probe_costs_only_a_rebuild(
    copied: tuple[Path, dict[int, str]],
) -> None:
    data, leads = copied
    normal = briefbot(data, "stats", "--json")
    assert normal.returncode == 0, normal.stderr
    assert not (data / PROBE_MARKER).exists()
    assert json.loads(normal.stdout)["dense_vectors"] == N_SMALL + PADDING  # sound: left as it was
    assert not list(data.glob("chroma.damaged-*"))

    # What a start SIGKILLed (or interrupted) during its read-back leaves behind, on a store that is sound.
    (data / PROBE_MARKER).write_text("briefbot pid 4242 at 2026-01-01 00:00:00 +0000\n")
    restarted = briefbot(data, "stats", "--json")
    assert restarted.returncode == 0, restarted.stderr
    assert "moved it to chroma.damaged-" in restarted.stderr
    assert not (data / PROBE_MARKER).exists()
    stats = json.loads(restarted.stdout)
    assert stats["dense_vectors"] == stats["indexed_chunks"] == stats["chunks"] == N_SMALL  # padding gone
    assert inspect(data, "raw", leads[0])["tops"] == ["https://crash.example/0"]


# ---- per-chat state across a restart ---------------------------------------------------------------------


@pytest.fixture
async def page_site() -> AsyncIterator[str]:
    async with serve_pages({"/turbines": (200, "text/html", TURBINES_PAGE)}) as base:
        yield base


async def test_chat_state_survives_a_bot_restart(
    tmp_path: Path, embedder: LocalEmbedder, page_site: str
) -> None:
    data, url = tmp_path / "data", f"{page_site}/turbines"
    async with (
        BotApiServer() as tg,
        running_bot(tg, data, embedder, fetch_allow_private_networks=True) as env,
    ):
        await env.rt.services.ingestor.ingest_many(CORPUS[2:3])
        [card] = await env.send(tg.make_message_with_links(ALICE, "look", [url]))
        assert "Added (" in html_of(card)
        await env.send(tg.make_command(ALICE, "digest", "on 07:30 Europe/Kyiv"))
        await env.send(tg.make_command(BOB, "digest"))
        # The digest is stamped once Telegram has answered the send, just after the test sees the message.
        await wait_until(lambda: env.rt.state.last_digest_at(BOB), what="the digest's stamp")
        bob_last = await env.rt.state.last_digest_at(BOB)
        assert bob_last is not None

    async with (
        BotApiServer() as tg,
        running_bot(tg, data, embedder, fetch_allow_private_networks=True) as env,
    ):
        [job] = env.app.job_queue.get_jobs_by_name(f"digest:{ALICE}")
        assert job.next_t.astimezone(ZoneInfo("Europe/Kyiv")).strftime("%H:%M") == "07:30"
        assert await env.rt.state.last_digest_at(BOB) == bob_last
        [note] = await env.send(tg.make_command(BOB, "digest"))
        # The same stamp as the digest's own "since …" line: day, month, year and time in UTC.
        when = bob_last.astimezone(UTC)
        stamp = f"{when.day} {when:%b %Y %H:%M} UTC"
        assert f"Nothing new since your last digest ({stamp})" in html_of(note)

        # The article ALICE added is still hers alone.
        [mine] = await env.send(tg.make_command(ALICE, "sources"))
        [theirs] = await env.send(tg.make_command(BOB, "sources"))
        assert "Harbour turbines" in html_of(mine) and "Harbour turbines" not in html_of(theirs)
        question = "What did the mayor say about the tide?"
        [answer] = await env.send(tg.make_text_message(ALICE, question))
        assert url in links_in(html_of(answer))
        [other] = await env.send(tg.make_text_message(BOB, question))
        assert url not in links_in(html_of(other))
        assert not re.search(r"Porthaven|tidal", html_of(other))


# ---- SIGKILL while links are being fetched ---------------------------------------------------------------


def _bot_process(tg: BotApiServer, data: Path) -> subprocess.Popen[bytes]:
    """The bot as it is deployed (`python -m bot`), polling the local Bot API server."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "BRIEFBOT_DATA_DIR": str(data),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": f"{tg.url}/bot",
        "ALLOWED_CHAT_IDS": str(ALICE),
        "EMBEDDING_BACKEND": "local",
        "FETCH_ALLOW_PRIVATE_NETWORKS": "true",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=data.parent, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def test_links_in_flight_when_the_bot_is_killed_get_their_card_after_a_restart(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    pages = {f"/story{n}": (200, "text/html", _story_page(n)) for n in range(1, 6)}
    hang, requested = asyncio.Event(), list[str]()
    async with BotApiServer() as tg, serve_pages(pages, hold=hang, requested=requested) as site:
        urls = [f"{site}/story{n}" for n in range(1, 6)]
        bot = _bot_process(tg, data)
        try:
            await tg.wait_until_polling(timeout=120)
            update = tg.push_update(tg.make_message_with_links(ALICE, "five links", urls))
            # Telegram was told the update arrived (the next poll's offset acknowledges it) and the first
            # fetches hang on the site: the moment a crash used to lose the links for good.
            await wait_until(lambda: update not in tg.pending_updates and requested, timeout=60, what="ack")
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
        assert not tg.sent_messages(ALICE)  # no card went out before the kill
        hang.set()
        bot = _bot_process(tg, data)
        try:
            card = await tg.wait_for_call(
                "sendMessage", lambda c: str(c.params.get("chat_id")) == str(ALICE), timeout=180
            )
        finally:
            bot.kill()
            bot.wait(timeout=30)
    text = str(card.params["text"])
    assert text.count("Added (") == 5, text
    assert _library_counts(data / "library.sqlite3") == (5, 0)


async def test_a_document_in_flight_when_the_bot_is_killed_gets_its_card_after_a_restart(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    text = article_text(106)[0].split("\n\n", 1)[1]
    async with BotApiServer() as tg:
        tg.hold_files = asyncio.Event()
        bot = _bot_process(tg, data)
        try:
            await tg.wait_until_polling(timeout=120)
            update = tg.push_update(tg.make_document(ALICE, text.encode(), "council-notes.txt"))
            # Acknowledged to Telegram and its download hanging: a crash now used to lose the document.
            await wait_until(
                lambda: update not in tg.pending_updates and tg.file_requests, timeout=60, what="download"
            )
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
        assert not tg.sent_messages(ALICE)
        tg.hold_files.set()
        bot = _bot_process(tg, data)
        try:
            card = await tg.wait_for_call(
                "sendMessage", lambda c: str(c.params.get("chat_id")) == str(ALICE), timeout=180
            )
        finally:
            bot.kill()
            bot.wait(timeout=30)
    assert "Added (" in str(card.params["text"]), card.params["text"]
    assert len(tg.file_requests) == 2  # downloaded again by its file_id after the restart
    assert _library_counts(data / "library.sqlite3") == (1, 0)


def _story_page(n: int) -> str:
    """One of the made-up articles above as a web page."""
    body, _ = article_text(100 + n)
    head, text = body.split("\n\n", 1)
    title = head.splitlines()[2].removeprefix("title ")
    return f"<html><head><title>{title}</title></head><body><article><p>{text}</p></article></body></html>"


# ---- two processes writing at once ----------------------------------------------------------------------


def test_two_processes_storing_the_same_articles_at_once_store_each_once(
    tmp_path: Path, chroma_server: Any
) -> None:
    """The bot and the CLI may write one library and one Chroma server at the same time: the same link or
    the same text arriving from both is stored once, and neither process fails on the clash."""
    data = tmp_path / "data"
    first, second = tmp_path / "first", tmp_path / "second"
    leads = write_articles(first, 40)
    shutil.copytree(first, second)  # the same texts and links, under other file names
    env = {
        **os.environ, "PYTHONPATH": str(REPO), "EMBEDDING_BACKEND": "local",
        "CHROMA_HOST": chroma_server.host, "CHROMA_PORT": str(chroma_server.port),
        "CHROMA_DATABASE": f"race-{os.getpid()}",
    }  # fmt: skip
    command = [sys.executable, "-m", "bot.cli", "--data-dir", str(data), "ingest"]
    procs = [
        subprocess.Popen([*command, str(folder)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for folder in (first, second)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-3000:]
    with contextlib.closing(sqlite3.connect(data / "library.sqlite3")) as conn:
        urls = [r[0] for r in conn.execute("SELECT url FROM articles")]
        hashes = {r[0] for r in conn.execute("SELECT content_hash FROM articles")}
    assert len(urls) == len(set(urls)) == len(hashes) == len(leads)
