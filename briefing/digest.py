"""The digest: what was added in a time window, one entry per story, the most widely reported first.

Articles about one event are one story: near-duplicates the library already linked (`duplicate_of`), plus
articles whose title and lead are close in embedding space. Each story is summed up by its lead sentence,
cited, and the other outlets that carried it are listed with their own citations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from briefing.citations import SentenceEmbeddings, attach, text_sentences
from briefing.types import Briefing, Citation
from retrieval.ingest import readable_text
from retrieval.store import Article, Library
from retrieval.text import format_date, format_moment

# Two articles report the same event when their "title. lead sentence" embeddings have at least this cosine
# and, when both are dated, they appeared within a few days of each other. On the demo articles the two
# reports of the Kremlin's 27 Feb 2025 statement score 0.71, while different events on the same subject
# reach 0.67 (the Kremlin's 12 Feb and 27 Feb statements, which the date window separates) and 0.65 at most
# otherwise.
SAME_STORY_COSINE = 0.68
SAME_STORY_DAYS = 3
MAX_STORIES = 8
_MAX_ARTICLES = 500
_WINDOW = timedelta(days=SAME_STORY_DAYS)


@dataclass(slots=True)
class _Story:
    articles: list[Article] = field(default_factory=list)

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(a.outlet for a in self.articles))

    @property
    def latest(self) -> datetime:
        return max(_when(a) for a in self.articles)

    @property
    def lead(self) -> Article:
        # The earliest report of an event tends to state it plainly; later ones add reaction.
        return min(self.articles, key=lambda a: (_when(a), a.id))


def _when(article: Article) -> datetime:
    return article.published_at or article.added_at


def lead_sentences(text: str, limit: int = 2, max_words: int = 60) -> list[str]:
    """The opening sentences of an article's readable text (`readable_text`), skipping fragments such as
    bylines and captions."""
    out: list[str] = []
    for sentence in text_sentences(text):
        words = sentence.split()
        if len(words) < 6 or len(words) > max_words or not sentence.rstrip("\"'”’)").endswith((".", "!")):
            continue
        out.append(sentence)
        if len(out) >= limit:
            break
    return out


class Digest:
    def __init__(
        self,
        library: Library,
        embeddings: SentenceEmbeddings,
        *,
        same_story: float = SAME_STORY_COSINE,
        max_stories: int = MAX_STORIES,
    ) -> None:
        self.library = library
        self.embeddings = embeddings
        self.same_story = same_story
        self.max_stories = max_stories

    async def build(self, *, since: datetime, scope: str | None) -> Briefing:
        articles = await self.library.list_articles(scope=scope, added_since=since, limit=_MAX_ARTICLES)
        if not articles:
            return Briefing(f"No new articles since {format_moment(since)}.", found=False, kind="digest")
        stories = await self._stories(articles)
        stories.sort(key=lambda s: (len(s.outlets), len(s.articles), s.latest), reverse=True)
        shown = stories[: self.max_stories]
        text, citations = self._write(shown)
        outlets = len({a.outlet for a in articles})
        header = (
            f"{len(articles)} new article{'s' if len(articles) != 1 else ''} from {outlets} "
            f"outlet{'s' if outlets != 1 else ''} since {format_moment(since)}, "
            f"in {len(stories)} stor{'ies' if len(stories) != 1 else 'y'}."
        )
        parts = [header, text]
        if len(stories) > len(shown):
            rest = sum(len(s.articles) for s in stories[len(shown) :])
            hidden = len(stories) - len(shown)
            stories_word = "stories" if hidden != 1 else "story"
            articles_word = "articles" if rest != 1 else "article"
            parts.append(f"{hidden} smaller {stories_word} ({rest} {articles_word}) not shown.")
        return Briefing("\n\n".join(parts), found=True, citations=citations, kind="digest")

    async def _stories(self, articles: list[Article]) -> list[_Story]:
        # Library links first: a near-duplicate joins the story of the article it was filed under.
        parent = {a.id: a.id for a in articles}

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(a: int, b: int) -> None:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for a in articles:
            if a.duplicate_of is not None and a.duplicate_of in parent:
                union(a.id, a.duplicate_of)
        keys = [f"{a.title}. {' '.join(lead_sentences(readable_text(a), 1))}" for a in articles]
        vectors = await self.embeddings.vectors(keys)
        sims = vectors @ vectors.T
        for i, j in zip(*np.nonzero(np.triu(sims, k=1) >= self.same_story), strict=True):
            a, b = articles[int(i)], articles[int(j)]
            if a.published_at and b.published_at and abs(a.published_at - b.published_at) > _WINDOW:
                continue
            union(a.id, b.id)
        groups: dict[int, _Story] = {}
        for a in articles:
            groups.setdefault(root(a.id), _Story()).articles.append(a)
        return list(groups.values())

    @staticmethod
    def _write(stories: list[_Story]) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []

        def cite(article: Article, quote: str) -> int:
            n = len(citations) + 1
            citations.append(
                Citation(
                    n=n, article_id=article.id, url=article.url, title=article.title, outlet=article.outlet,
                    published=article.published_at, quote=quote,
                )
            )  # fmt: skip
            return n

        blocks = []
        for story in stories:
            lead = story.lead
            # A digest must not repeat planted instructions, not even in the fallback opening.
            text = readable_text(lead)
            sentences = lead_sentences(text) or [" ".join(text.split()[:40]) + "…"]
            n = cite(lead, sentences[0])
            date = f" ({format_date(lead.published_at)})" if lead.published_at else ""
            lines = [f"## {lead.title}{date}", " ".join(attach(s, [n]) for s in sentences)]
            others: list[str] = []
            seen = {lead.outlet}
            for article in sorted(story.articles, key=lambda a: (_when(a), a.id)):
                if article.outlet in seen:
                    continue
                seen.add(article.outlet)
                quote = (lead_sentences(readable_text(article), 1) or [article.title])[0]
                others.append(f"{article.outlet} [{cite(article, quote)}]")
            if others:
                count = len(story.outlets)
                lines.append(f"Reported by {count} outlets; also {', '.join(others)}.")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks), citations
