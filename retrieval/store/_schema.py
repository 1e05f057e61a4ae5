"""The library's SQLite schema and its migrations."""

from __future__ import annotations

import sqlite3

from ._feeds import FEED_TABLES

# 2: every article belongs to exactly one scope (`added_by`); a URL or a text is unique within its scope
#    only, and the cross-scope `article_access` grants of version 1 are gone (see `migrate_to_2`).
# 3: followed feeds, their followers and the items each follower has had (`_feeds.FEED_TABLES`); new tables
#    only, so the migration is their creation (`migrate_to_3`).
SCHEMA_VERSION = 3

_ARTICLES_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    outlet TEXT NOT NULL,
    author TEXT,
    published_at TEXT,
    published_ts INTEGER,
    language TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_ts INTEGER NOT NULL,
    duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    flags TEXT NOT NULL DEFAULT '',
    indexed INTEGER NOT NULL DEFAULT 0,
    -- One scope never holds two copies of a URL or of a text; two scopes each hold their own.
    UNIQUE (added_by, url),
    UNIQUE (added_by, content_hash)
);
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
{articles}CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_added ON articles(added_ts);
CREATE INDEX IF NOT EXISTS articles_dup ON articles(duplicate_of);
CREATE TABLE IF NOT EXISTS minhash_bands (
    band INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS minhash_band ON minhash_bands(band);
CREATE INDEX IF NOT EXISTS minhash_article ON minhash_bands(article_id);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, title, content='chunks', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, title) VALUES (new.rowid, new.text, new.title);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, title) VALUES ('delete', old.rowid, old.text, old.title);
END;
CREATE TABLE IF NOT EXISTS statements (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    speaker TEXT NOT NULL,
    speaker_key TEXT NOT NULL,
    role TEXT,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    said_on TEXT,
    said_ts INTEGER,
    sentence TEXT NOT NULL,
    unnamed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS statements_article ON statements(article_id);
CREATE INDEX IF NOT EXISTS statements_speaker ON statements(speaker_key);
CREATE TABLE IF NOT EXISTS sentence_vectors (
    chunk_id TEXT NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    digest TEXT NOT NULL,
    vectors BLOB NOT NULL,
    PRIMARY KEY (chunk_id, model)
);
CREATE TABLE IF NOT EXISTS statement_vectors (
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    digest TEXT NOT NULL,
    vectors BLOB NOT NULL,
    PRIMARY KEY (statement_id, model)
);
""".replace("{articles}", _ARTICLES_TABLE.format(name="articles")) + FEED_TABLES


def migrate_to_2(c: sqlite3.Connection) -> None:
    """Version 1 let one chat see another's article through `article_access` grants: a chat that added a
    near-duplicate, or the same link, was handed the other chat's text, title and address. Every article
    now belongs to one scope. A grant becomes the scope's own copy: its linked near-duplicate is unlinked,
    or, when it held no row of its own (it had sent the same link), it gets a copy of the article. Both are
    left unindexed and without passages, for `Ingestor.resume` to cut, embed and index at the next start.
    """
    c.execute(_ARTICLES_TABLE.format(name="articles_v2"))
    # A text stored twice in one scope (two processes racing under version 1) keeps its first row.
    c.execute("INSERT OR IGNORE INTO articles_v2 SELECT * FROM articles ORDER BY id")
    has_grants = c.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article_access'"
    ).fetchone()
    grants = c.execute("SELECT article_id, scope FROM article_access").fetchall() if has_grants else []
    for article_id, scope in grants:
        unlinked = c.execute(
            "UPDATE articles_v2 SET duplicate_of = NULL, indexed = 0 WHERE duplicate_of = ? AND added_by = ?",
            (article_id, scope),
        ).rowcount
        if not unlinked:
            c.execute(
                "INSERT OR IGNORE INTO articles_v2(url, title, outlet, author, published_at, published_ts, "
                "language, text, content_hash, added_by, added_at, added_ts, flags, indexed) "
                "SELECT url, title, outlet, author, published_at, published_ts, language, text, "
                "content_hash, ?, added_at, added_ts, flags, 0 FROM articles WHERE id = ?",
                (scope, article_id),
            )
    c.execute("DROP TABLE articles")
    c.execute("ALTER TABLE articles_v2 RENAME TO articles")
    c.execute("DROP TABLE IF EXISTS article_access")
    for table in ("chunks", "minhash_bands", "statements"):
        c.execute(f"DELETE FROM {table} WHERE article_id NOT IN (SELECT id FROM articles)")
    c.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def migrate_to_3(c: sqlite3.Connection) -> None:
    """Version 2 had no feeds: their tables are new, and nothing else changes."""
    c.executescript(FEED_TABLES)
    c.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
