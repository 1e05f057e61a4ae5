import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from retrieval.store import Library, LibraryError, SearchFilters, Statement
from retrieval.store._library import fts_query


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "lib.sqlite3")
    yield lib
    lib.close()


async def _add(lib: Library, url: str, text: str, **kw: Any) -> int:
    article = await lib.add_article(
        url=url, title=kw.pop("title", "Title"), outlet=kw.pop("outlet", "Outlet"), author=None,
        published_at=kw.pop("published_at", None), language="en", text=text, content_hash=kw.pop("hash", url),
        added_by=kw.pop("added_by", "shared"), chunks=kw.pop("chunks", [text]), **kw,
    )  # fmt: skip
    await lib.mark_indexed(article.id)
    return article.id


def test_fts_query_is_safe() -> None:
    query = fts_query('What is "the" Kremlin\'s stance? AND OR NOT NEAR *')
    assert query == '"kremlin\'s" OR "stance" OR "near"'
    assert fts_query("the of and") is None


async def test_wal_and_unknown_date_stays_unknown(library: Library) -> None:
    aid = await _add(library, "https://a.example/1", "Some text about tides.")
    article = await library.get_article(aid)
    assert article is not None and article.published_at is None
    mode = await library._run(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
    assert mode == "wal"


async def test_unique_url(library: Library) -> None:
    await _add(library, "https://a.example/1", "text one")
    with pytest.raises(LibraryError):
        await _add(library, "https://a.example/1", "text two", hash="other")


async def test_bm25_filters_and_scope(library: Library) -> None:
    d1 = datetime(2025, 1, 5, tzinfo=UTC)
    d2 = datetime(2025, 3, 5, tzinfo=UTC)
    a = await _add(library, "https://a.example/1", "Turbines in the harbour", published_at=d1, outlet="Coast")
    b = await _add(library, "https://a.example/2", "Harbour turbines again", published_at=d2, outlet="Other")
    c = await _add(library, "https://a.example/3", "Private harbour note", added_by="42")
    ids = lambda hits: {int(h[0].split(":")[0]) for h in hits}  # noqa: E731
    assert ids(await library.bm25("harbour", 10, SearchFilters())) == {a, b, c}
    assert ids(await library.bm25("harbour", 10, SearchFilters(since=datetime(2025, 2, 1, tzinfo=UTC)))) == {
        b
    }
    assert ids(await library.bm25("harbour", 10, SearchFilters(until=datetime(2025, 2, 1, tzinfo=UTC)))) == {
        a
    }
    assert ids(await library.bm25("harbour", 10, SearchFilters(outlet="coast"))) == {a}
    assert ids(await library.bm25("harbour", 10, SearchFilters(scope="7"))) == {a, b}
    assert ids(await library.bm25("harbour", 10, SearchFilters(scope="42"))) == {a, b, c}
    # Chat 7 storing the same page gets its own copy; chat 42's stays invisible to it.
    d = await _add(library, "https://a.example/3", "Private harbour note", added_by="7")
    assert d != c
    assert ids(await library.bm25("harbour", 10, SearchFilters(scope="7"))) == {a, b, d}
    assert ids(await library.bm25("harbour", 10, SearchFilters(scope="42"))) == {a, b, c}


async def test_unindexed_articles_are_invisible(library: Library) -> None:
    article = await library.add_article(
        url="https://a.example/p", title="T", outlet="O", author=None, published_at=None, language=None,
        text="pending turbines", content_hash="h", added_by="shared", chunks=["pending turbines"],
    )  # fmt: skip
    assert await library.bm25("turbines", 5, SearchFilters()) == []
    assert await library.pending_articles() == [article.id]
    assert await library.indexed_chunks() == {}  # nor is a pending article due in the dense index
    await library.mark_indexed(article.id)
    assert len(await library.bm25("turbines", 5, SearchFilters())) == 1
    first = await _add(library, "https://b.example/p", "tidal harbour", chunks=["tidal", "harbour"])
    await _add(library, "https://c.example/p", "tidal harbour copy", duplicate_of=first)
    due = await library.indexed_chunks()
    assert list(due) == [article.id, first]  # a linked near-duplicate has no vectors of its own
    assert [r.text for r in due[first]] == ["tidal", "harbour"] and due[first][0].title == "Title"


async def test_delete_cascades(library: Library) -> None:
    aid = await _add(library, "https://a.example/1", "Turbines in the harbour")
    await library.add_statements(
        [Statement(article_id=aid, speaker="Ines Carvalho", role="mayor", text="x", kind="quote",
                   said_on=None, sentence="x")]
    )  # fmt: skip
    assert (await library.stats())["statements"] == 1
    assert await library.delete_article(aid)
    stats = await library.stats()
    assert stats["articles"] == stats["chunks"] == stats["statements"] == 0
    assert await library.bm25("harbour", 5, SearchFilters()) == []


async def test_backup(library: Library, tmp_path: Path) -> None:
    await _add(library, "https://a.example/1", "Turbines in the harbour")
    await library.backup(tmp_path / "copy.sqlite3")
    copy = Library(tmp_path / "copy.sqlite3")
    assert (await copy.stats())["articles"] == 1
    copy.close()


async def test_a_library_from_a_newer_release_is_refused(library: Library, tmp_path: Path) -> None:
    from retrieval.store._library import SCHEMA_VERSION, LibraryVersionError

    await library.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    library.close()
    with pytest.raises(LibraryVersionError, match="newer briefbot"):
        Library(library.path)
    reopened = Library(tmp_path / "other.sqlite3")  # a fresh file gets the current version
    assert await reopened.get_meta("schema_version") == str(SCHEMA_VERSION)
    reopened.close()


def _raw(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


async def test_backup_while_another_connection_keeps_writing(library: Library, tmp_path: Path) -> None:
    """What `briefbot backup` does while the bot runs: the copy is consistent, whatever was mid-write."""
    import asyncio
    import sqlite3

    writer = Library(library.path)  # the running bot's own connection
    stop, started = asyncio.Event(), asyncio.Event()

    async def keep_writing() -> int:
        n = 0
        while not stop.is_set():
            await _add(writer, f"https://a.example/{n}", f"Turbines in the harbour, report {n}")
            n += 1
            if n == 20:
                started.set()
        return n

    task = asyncio.create_task(keep_writing())
    await started.wait()
    await library.backup(tmp_path / "copy.sqlite3")
    stop.set()
    written = await task
    writer.close()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        articles, chunks = copy.execute(
            "SELECT count(*), (SELECT count(*) FROM chunks) FROM articles"
        ).fetchone()
        assert 20 <= articles <= written and chunks == articles  # whole articles only, none half-copied
    finally:
        copy.close()


async def test_a_newer_library_is_refused_before_anything_is_written(library: Library) -> None:
    from retrieval.store._library import SCHEMA_VERSION, LibraryVersionError

    await _add(library, "https://a.example/1", "Turbines in the harbour")
    library.close()
    # A newer release's layout: one table this release would create is gone, a column is renamed, and the
    # file is back in rollback-journal mode so that even switching it to WAL would change its bytes.
    _raw(
        library.path,
        f"UPDATE meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'",
        "DROP TABLE statements",
        "ALTER TABLE articles RENAME COLUMN outlet TO source",
        "PRAGMA journal_mode=DELETE",
    )
    before = library.path.read_bytes()
    with pytest.raises(LibraryVersionError, match=rf"newer briefbot \(library schema {SCHEMA_VERSION + 1}"):
        Library(library.path)
    assert library.path.read_bytes() == before
    conn = sqlite3.connect(library.path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()
    assert "statements" not in tables and "articles" in tables


async def test_an_unreadable_schema_version_is_refused(library: Library) -> None:
    from retrieval.store._library import LibraryVersionError

    await library.set_meta("schema_version", "two")
    library.close()
    with pytest.raises(LibraryVersionError, match="unreadable library schema version 'two'"):
        Library(library.path)


async def test_count_visible(library: Library) -> None:
    await _add(library, "https://a.example/1", "shared text")
    mine = await _add(library, "https://a.example/2", "mine", added_by="7")
    other = await _add(library, "https://a.example/3", "other", added_by="8")
    seen = await library.count_visible("7")
    assert (seen["articles"], seen["mine"], seen["shared"]) == (2, 1, 1)
    assert seen["passages"] == 2  # one passage each; chat 8's is not counted
    assert (await library.count_visible("9"))["articles"] == 1
    assert (await library.count_visible("8"))["mine"] == 1
    assert mine != other


async def test_unnamed_sources_never_match_an_actor(library: Library) -> None:
    aid = await _add(library, "https://a.example/kyiv", "Analysts in Kyiv said the offer was a trap.")
    await library.add_statements(
        [
            Statement(article_id=aid, speaker="Analysts in Kyiv", role=None, text="the offer was a trap.",
                      kind="reported", said_on=None, sentence="x", unnamed=True),
            Statement(article_id=aid, speaker="Georgiy Tykhy", role="Kyiv's foreign ministry spokesman",
                      text="the regions remain Ukrainian.", kind="reported", said_on=None, sentence="y"),
        ]
    )  # fmt: skip
    found = [s for s, _ in await library.statements(speaker_terms=["kyiv"])]
    assert [(s.speaker, s.unnamed) for s in found] == [("Georgiy Tykhy", False)]
    every = [s for s, _ in await library.statements(article_ids=[aid])]
    assert {(s.speaker, s.unnamed) for s in every} == {("Analysts in Kyiv", True), ("Georgiy Tykhy", False)}


async def test_a_library_without_the_unnamed_column_gets_it(library: Library) -> None:
    aid = await _add(library, "https://a.example/old", "Old text")
    await library.add_statements(
        [Statement(article_id=aid, speaker="Ines Carvalho", role=None, text="x", kind="quote", said_on=None,
                   sentence="x")]
    )  # fmt: skip
    library.close()
    with sqlite3.connect(library.path) as conn:  # as a library from before unnamed sources were kept
        conn.execute("ALTER TABLE statements DROP COLUMN unnamed")
    reopened = Library(library.path)
    try:
        [(statement, _)] = await reopened.statements(article_ids=[aid])
        assert (statement.speaker, statement.unnamed) == ("Ines Carvalho", False)
    finally:
        reopened.close()


async def test_a_cursor_never_leaves_the_store_thread_open(library: Library) -> None:
    # Every method that hands back `c.execute(...)` gets a cursor already closed in the store's thread, so it
    # is never finalised on the event loop while another thread uses the connection; its counts still read.
    cursor = await library._run(lambda c: c.execute("INSERT INTO meta(key, value) VALUES ('probe', 'x')"))
    assert cursor.rowcount == 1
    with pytest.raises(sqlite3.ProgrammingError):
        cursor.fetchone()
    rows = await library._run(lambda c: c.execute("SELECT value FROM meta WHERE key = 'probe'").fetchall())
    assert [tuple(r) for r in rows] == [("x",)]


async def test_get_articles_reads_many_and_each_knows_who_sees_it(library: Library) -> None:
    mine = await _add(library, "https://a.example/1", "first article text " * 20, added_by="chat-1")
    theirs = await _add(library, "https://b.example/2", "second article text " * 20, added_by="chat-2")
    shared = await _add(library, "https://c.example/3", "third article text " * 20)
    found = {a.id: a for a in await library.get_articles([theirs, mine, shared, mine, 10_000])}
    assert set(found) == {mine, theirs, shared}
    assert [i for i, a in sorted(found.items()) if a.visible_to("chat-1")] == sorted([mine, shared])
    assert await library.get_articles([]) == []


async def test_speakers_roles_and_outlets_match_in_any_case_and_script(library: Library) -> None:
    # SQLite's own lower() and LIKE fold ASCII only: "Песков" would never meet "песков".
    aid = await _add(
        library,
        "https://a.example/ru",
        "Пресс-секретарь Кремля Дмитрий Песков заявил журналистам.",
        outlet="ТАСС",
    )
    await library.add_statements(
        [Statement(article_id=aid, speaker="Дмитрий Песков", role="Пресс-секретарь Кремля", text="x",
                   kind="reported", said_on=None, sentence="x")]
    )  # fmt: skip
    for term in ("песков", "ПЕСКОВ", "Песков", "кремля"):
        found = [s.speaker for s, _ in await library.statements(speaker_terms=[term])]
        assert found == ["Дмитрий Песков"], term
    assert await library.has_speaker(["песков"], scope=None)
    assert [s for s, _ in await library.statements(speaker_terms=["лавров"])] == []
    by_outlet = await library.statements(speaker_terms=["песков"], filters=SearchFilters(outlet="тасс"))
    assert len(by_outlet) == 1


def test_speaker_keys_keep_every_script_apart() -> None:
    from retrieval.store import speaker_key

    assert speaker_key("Dmitry  PESKOV") == speaker_key("dmitry peskov") == "dmitry peskov"
    assert speaker_key("Дмитрий Песков") == "дмитрий песков"
    assert speaker_key("Дмитрий Песков") != speaker_key("Сергей Лавров")
    assert speaker_key("Володимир Зеленський") == "володимир зеленський"
