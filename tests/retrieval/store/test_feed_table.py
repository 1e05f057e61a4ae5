"""The feed tables (schema 3): follows per scope, item memory, backoff state, group migration, and the
migration of a version 2 library."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retrieval.store import MAX_ITEM_ATTEMPTS, Library
from retrieval.store._schema import SCHEMA_VERSION


async def test_follows_seen_items_backoff_and_migration(tmp_path: Path) -> None:
    library = Library(tmp_path / "library.sqlite3")
    try:
        alice, new = await library.follow_feed("https://n.test/feed", "rss", "N", scope="1", requested="n")
        assert new and alice.scope == "1" and not alice.baselined
        bob, new = await library.follow_feed("https://n.test/feed", "rss", "", scope="2", requested="x")
        assert new and bob.feed.id == alice.feed.id and bob.feed.title == "N"  # one feed, two follows
        assert not (await library.follow_feed("https://n.test/feed", "rss", "N", scope="1", requested="y"))[1]
        feed_id = alice.feed.id
        await library.mark_seen(feed_id, "1", ["id:a", "url:https://n.test/a"], done=True, article_id=7)
        for _ in range(MAX_ITEM_ATTEMPTS - 1):
            await library.mark_seen(feed_id, "1", ["id:b"], done=False)
        assert await library.seen_keys(feed_id, "1", ["id:a", "id:b", "url:https://n.test/a"]) == {
            "id:a", "url:https://n.test/a",
        }  # fmt: skip
        await library.mark_seen(feed_id, "1", ["id:b"], done=False)  # the last attempt: given up
        assert "id:b" in await library.seen_keys(feed_id, "1", ["id:b"])
        assert await library.seen_keys(feed_id, "2", ["id:a"]) == set()  # memories are per scope
        later = datetime.now(UTC) + timedelta(hours=1)
        assert await library.feed_failed(feed_id, "HTTP 500 from n.test", later) == 1
        assert await library.feeds_to_poll(now=datetime.now(UTC)) == []
        assert len(await library.feeds_to_poll(now=datetime.now(UTC), force=True)) == 1
        await library.feed_read(feed_id, kind="atom", title=None, etag='"e"', last_modified=None)
        [feed] = await library.feeds_to_poll(now=datetime.now(UTC))
        assert (feed.kind, feed.title, feed.etag, feed.errors) == ("atom", "N", '"e"', 0)
        assert feed.last_error is None and feed.next_try_at is None
        assert await library.forget_seen(datetime.now(UTC) - timedelta(days=1)) == 0
        assert await library.forget_seen(datetime.now(UTC) + timedelta(seconds=1)) == 3  # all of scope 1's
        assert await library.seen_keys(feed_id, "1", ["id:a", "id:b"]) == set()
        await library.mark_seen(feed_id, "1", ["id:a"], done=True)
        await library.migrate_follows("1", "-100")
        assert {f.scope for f in await library.follows(feed_id=feed_id)} == {"2", "-100"}
        assert await library.seen_keys(feed_id, "-100", ["id:a"]) == {"id:a"}
        assert await library.unfollow_feed(feed_id, scope="2")
        assert await library.feed_by_url("https://n.test/feed") is not None  # -100 still follows it
        assert await library.unfollow_feed(feed_id, scope="-100")
        assert await library.feed_by_url("https://n.test/feed") is None
    finally:
        library.close()


async def test_a_version_2_library_gains_the_feed_tables(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    Library(path).close()
    with sqlite3.connect(path) as c:
        for table in ("feed_seen", "feed_follows", "feeds"):
            c.execute(f"DROP TABLE {table}")
        c.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    library = Library(path)
    try:
        assert await library.get_meta("schema_version") == str(SCHEMA_VERSION) == "3"
        follow, _ = await library.follow_feed("https://n.test/f", "rss", "N", scope="1", requested="n")
        assert follow.feed.url == "https://n.test/f"
    finally:
        library.close()
