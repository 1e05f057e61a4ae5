"""Watched actors: which of their statements newly stored articles carry, and how each compares with what
they said before on the topic.

A watch is an actor and an optional topic, read exactly as `/stance` reads them: the same speaker matching
(`stance.speaks_for`), the same topic relevance, and the same merging of one statement reported by several
outlets into one row (`timeline.merge_outlets`). Near-duplicate articles, which the library links to the
article they copy instead of reading them again, count as further outlets of that article's statements.

`PositionWatch.news` is asked with the articles that are new (just stored, or added since the last digest):
every row with a report among them comes back, marked `fresh` when all its reports are new, which is a
statement not seen before, rather than another outlet's report of a known one. Only what `scope` may see is
ever read: the rows, the earlier statements they are compared with and the copies that add outlets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from briefing.positions import Comparison, compare
from briefing.stance import StanceService, actor_terms, speaks_for
from briefing.timeline import Row, display_names, said
from briefing.types import Briefing, Citation
from retrieval.store import Article, ChunkRecord, SearchFilters, Statement, speaker_key
from retrieval.text import format_date

__all__ = ["PositionNews", "PositionWatch", "statement_key", "watch_label", "with_positions", "write_alert"]

# Rows read per watch: the whole visible record of an actor, not a timeline's first screen.
MAX_ROWS = 1000
# What an alert shows at most: a statement's words, the outlets that reported it, those of the earlier one.
STATEMENT_WORDS = 70
MAX_OUTLETS = 10
EARLIER_OUTLETS = 2


def statement_key(statement: Statement, article_id: int) -> str:
    """A statement as reported by one article: its words and speaker, so a re-extraction (new row ids) of
    the same article keeps the key."""
    words = " ".join(statement.text.lower().split())
    digest = hashlib.sha1(f"{speaker_key(statement.speaker)}|{words}".encode()).hexdigest()[:16]
    return f"{article_id}:{digest}"


def watch_label(actor: str, topic: str | None) -> str:
    return f"{actor} on {topic}" if topic else actor


@dataclass(slots=True)
class PositionNews:
    """One statement of a watched actor, with every report of it the scope can see and its comparison."""

    actor: str
    topic: str | None
    row: Row
    name: str  # the speaker as shown, with the role when one is known
    comparison: Comparison
    earlier: Row | None
    earlier_name: str | None
    fresh: bool  # every report of it is among the new articles

    @property
    def article_ids(self) -> list[int]:
        return list(dict.fromkeys(record.article_id for _, record in self.row.sources))

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(statement_key(s, r.article_id) for s, r in self.row.sources))

    @property
    def said_on(self) -> datetime | None:
        return _date(self.row)


class PositionWatch:
    def __init__(self, stance: StanceService) -> None:
        self.stance = stance
        self.library = stance.library

    async def news(
        self, actor: str, topic: str | None, *, scope: str, fresh: Collection[int] | Sequence[Article]
    ) -> list[PositionNews]:
        """The actor's statements (on the topic) with a report among the `fresh` articles (ids, or the
        articles themselves when the caller has them), oldest first."""
        new = await self._visible(fresh, scope)
        if not new or not actor_terms(actor):
            return []
        # The whole timeline is read only when a new article carries a statement of the actor at all.
        probe = sorted({a.duplicate_of or a.id for a in new.values()})
        found = await self.library.statements(
            speaker_terms=actor_terms(actor), article_ids=probe, filters=SearchFilters(scope=scope)
        )
        if not any(speaks_for(actor, s) for s, _ in found):
            return []
        rows = await self.stance.rows(actor, topic, filters=SearchFilters(scope=scope), limit=MAX_ROWS)
        if not rows:
            return []
        await self._add_copies(rows, scope)
        groups = {id(p): row.group for row in rows for p in row.parts}
        names = display_names([p for row in rows for p in row.parts], groups)

        def shown(row: Row) -> str:
            name, role = names[row.group]
            return f"{name} ({role})" if role else name

        out: list[PositionNews] = []
        for row in rows:
            ids = {record.article_id for _, record in row.sources}
            if not ids & new.keys():
                continue
            earlier = [r for r in rows if r is not row and _before(r, row, new.keys())]
            comparison = await compare(
                row.text, [(r.text, _date(r)) for r in earlier], self.stance.embeddings
            )
            before = earlier[comparison.earlier] if comparison.earlier is not None else None
            out.append(
                PositionNews(
                    actor=actor, topic=topic, row=row, name=shown(row), comparison=comparison, earlier=before,
                    earlier_name=shown(before) if before is not None else None, fresh=ids <= new.keys(),
                )
            )  # fmt: skip
        out.sort(key=lambda n: (_stamp(n.said_on), n.row.record.article_id))
        return out

    async def _visible(self, fresh: Collection[int] | Sequence[Article], scope: str) -> dict[int, Article]:
        """The new articles `scope` may see (its own and shared ones), by id."""
        found = [item for item in fresh if isinstance(item, Article)]
        found += await self.library.get_articles(item for item in fresh if not isinstance(item, Article))
        return {a.id: a for a in found if a.visible_to(scope)}

    async def _add_copies(self, rows: list[Row], scope: str) -> None:
        """Near-duplicates the scope can see join the rows of the article they copy, as further outlets."""
        ids = sorted({record.article_id for row in rows for _, record in row.sources})
        copies = await self.library.duplicates_of(ids)
        for row in rows:
            for statement, record in list(row.sources):
                for copy in copies.get(record.article_id, []):
                    if not copy.visible_to(scope):
                        continue
                    if all(r.article_id != copy.id for _, r in row.sources):
                        row.sources.append((statement, _record_of(copy, statement)))


def _record_of(article: Article, statement: Statement) -> ChunkRecord:
    return ChunkRecord(
        chunk_id=f"a{article.id}", article_id=article.id, seq=-1, text=statement.sentence,
        title=article.title, url=article.url, outlet=article.outlet, published=article.published_at,
        added_by=article.added_by,
    )  # fmt: skip


def _date(row: Row) -> datetime | None:
    """When the words were said: the statement's own date, else the first report's."""
    if row.said_on is not None:
        return row.said_on
    published = [record.published for _, record in row.sources if record.published is not None]
    return min(published) if published else None


def _stamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("inf")


def _before(other: Row, row: Row, new: Collection[int]) -> bool:
    """Whether `other` was said before `row`. Without dates to go by (or on the same day), what was stored
    before the new articles came counts as earlier."""
    stored_before = not any(record.article_id in new for _, record in other.sources)
    a, b = _date(other), _date(row)
    if a is None or b is None or a.date() == b.date():
        return stored_before and any(record.article_id in new for _, record in row.sources)
    return a < b


# ---- writing ---------------------------------------------------------------------------------------------


def _short(statement: Statement) -> Statement:
    words = statement.text.split()
    if len(words) <= STATEMENT_WORDS:
        return statement
    return replace(statement, text=" ".join(words[:STATEMENT_WORDS]).rstrip(",;:") + " …")


def _who_said(name: str, row: Row) -> str:
    words = said([_short(p) for p in row.parts])
    return f"{name} said {words}" if row.parts[0].kind == "quote" else f"{name} {words}"


Cite = Callable[[Statement, ChunkRecord], int]


def _outlets(row: Row, cite: Cite, limit: int) -> str:
    """"Wire [1], Daily [2]…": each outlet once, in order of publication, with its citations."""
    by_outlet: dict[str, list[str]] = {}
    ordered = sorted(row.sources, key=lambda sr: (_stamp(sr[1].published), sr[1].article_id))
    for statement, record in ordered:
        if len(by_outlet) >= limit and record.outlet not in by_outlet:
            continue
        by_outlet.setdefault(record.outlet, []).append(f"[{cite(statement, record)}]")
    listed = ", ".join(f"{outlet} {''.join(refs)}" for outlet, refs in by_outlet.items())
    total = len({record.outlet for _, record in row.sources})
    return listed + (f" and {total - limit} more" if total > limit else "")


def _verdict(news: PositionNews, cite: Cite) -> str:
    kind = news.comparison.verdict
    if kind == "new" or news.earlier is None:
        about = f" on {news.topic}" if news.topic else ""
        return f"New: no earlier statement by {news.actor}{about} in your library."
    earlier = news.earlier
    lead = {"repeated": "Repeated", "shift": "Shift", "earlier": "Earlier on this topic"}[kind]
    name = news.earlier_name or ""
    return (
        f"{lead}: on {format_date(_date(earlier))}, {_who_said(name, earlier)} — "
        f"{_outlets(earlier, cite, EARLIER_OUTLETS)}"
    )


def _lines(news: PositionNews, cite: Cite, *, label: bool) -> list[str]:
    row = news.row
    head = f"{watch_label(news.actor, news.topic)} · " if label else ""
    count = len({record.outlet for _, record in row.sources})
    reported = f"Reported by {count} outlets: " if count > 1 else "Reported by "
    return [
        f"{head}{format_date(news.said_on)} — {_who_said(news.name, row)}",
        f"{reported}{_outlets(row, cite, MAX_OUTLETS)}.",
        _verdict(news, cite),
    ]


def _citer(citations: list[Citation]) -> Cite:
    """One number per article, continuing after `citations`."""
    numbers = {c.article_id: c.n for c in citations}

    def cite(statement: Statement, record: ChunkRecord) -> int:
        if record.article_id not in numbers:
            numbers[record.article_id] = len(citations) + 1
            citations.append(
                Citation(
                    n=numbers[record.article_id], article_id=record.article_id, url=record.url,
                    title=record.title, outlet=record.outlet, published=record.published,
                    quote=statement.sentence,
                )
            )  # fmt: skip
        return numbers[record.article_id]

    return cite


def write_alert(news: PositionNews) -> Briefing:
    """One alert: the watch, the statement with its speaker, date and outlets, and how it compares."""
    citations: list[Citation] = []
    head = f"## Watch: {watch_label(news.actor, news.topic)}"
    lines = [head, *_lines(news, _citer(citations), label=False)]
    return Briefing("\n".join(lines), found=True, citations=citations, kind="position")


def with_positions(digest: Briefing, news: list[PositionNews]) -> Briefing:
    """The digest with a "Positions" part after its stories: the watched actors' new statements."""
    if not news:
        return digest
    citations = list(digest.citations)
    cite = _citer(citations)
    count = len(news)
    blocks = [f"## Positions: {count} new statement{'s' if count != 1 else ''} by actors you watch"]
    blocks += ["\n".join(_lines(n, cite, label=True)) for n in news]
    answer = "\n\n".join([digest.answer, *blocks]) if digest.found else "\n\n".join(blocks)
    return replace(digest, answer=answer, found=True, citations=citations)
