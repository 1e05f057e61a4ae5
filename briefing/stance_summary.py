"""The opening of a stance answer: two or three sentences on the position, written by the language model from
the timeline's statements only and checked like any briefing, with the timeline below it.

The model gets one numbered source per article the timeline cites, numbered as the timeline numbers it, and
holding only the statements the timeline shows from that article (speaker, role, date, words, and the
reporter's context line where there is one). Its draft goes through the same citation checks as a briefing
(`briefing.citations.check`): uncited sentences, invented source numbers and claims the cited statements do
not support are dropped. The surviving sentences keep the timeline's numbers, so one source list serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.citations import Passage, SentenceEmbeddings, SupportThresholds, check
from briefing.stance import Timeline
from briefing.timeline import said
from briefing.types import SUMMARY_REJECTED_NOTE, Briefing
from briefing.writer import Writer
from retrieval.store import Hit
from retrieval.text import MARKER, MARKER_PATTERN, format_date

__all__ = ["Summary", "statement_passages", "summarise", "with_summary"]


@dataclass(slots=True)
class Summary:
    text: str | None  # checked text with the timeline's citation numbers, or None
    note: str | None = None
    quota_exhausted: bool = False
    writer: str = "offline"


def statement_passages(timeline: Timeline) -> list[Passage]:
    """One passage per cited article, numbered as in the timeline, holding the statements shown from it."""
    numbers = {c.article_id: c for c in timeline.briefing.citations}
    lines: dict[int, list[str]] = {}
    for row in timeline.rows:
        name, role = timeline.names[row.group]
        who = f"{name} ({role})" if role else name
        for _, record in row.sources:
            text = f"{format_date(row.said_on, long=True)}, {who}: {said(row.parts)}"
            if row.context:
                text += f"\n(context, the reporter's words: {row.context})"
            lines.setdefault(record.article_id, []).append(text)
    passages = []
    for article_id, texts in lines.items():
        cite = numbers[article_id]
        hit = Hit(
            chunk_id=f"stance:{article_id}", article_id=article_id, title=cite.title, url=cite.url,
            outlet=cite.outlet, published=cite.published, text="\n\n".join(dict.fromkeys(texts)), score=1.0,
        )  # fmt: skip
        passages.append(Passage(cite.n, hit))
    return sorted(passages, key=lambda p: p.n)


async def summarise(
    writer: Writer,
    actor: str,
    topic: str | None,
    timeline: Timeline,
    embeddings: SentenceEmbeddings,
    support: SupportThresholds,
) -> Summary:
    passages = statement_passages(timeline)
    draft = await writer.summarise_stance(actor, topic, passages)
    if draft is None:
        return Summary(None)
    if not draft.found or not draft.text.strip():
        return Summary(None, note=draft.note, quota_exhausted=draft.quota_exhausted, writer=draft.writer)
    checked = await check(draft.text, passages, embeddings, require_citation=True, thresholds=support)
    if not checked.citations or checked.flagged:
        return Summary(None, note=SUMMARY_REJECTED_NOTE, writer=draft.writer)
    # `check` numbers sources in order of first use; the timeline's numbers are the ones the reader sees.
    back = {c.n: next(p.n for p in passages if p.hit.article_id == c.article_id) for c in checked.citations}
    text = MARKER.sub(lambda m: f"[{back[int(m.group(1))]}]", checked.text)
    text = re.sub(rf"({MARKER_PATTERN})(?:\1)+", r"\1", text)
    return Summary(" ".join(text.split()), writer=draft.writer)


def with_summary(timeline: Briefing, summary: Summary) -> Briefing:
    """The timeline with the summary above it (and the note, when there is no summary to show)."""
    if summary.text is None:
        timeline.note = summary.note
        return timeline
    return Briefing(
        answer=f"{summary.text}\n\n{timeline.answer}", found=True, citations=timeline.citations,
        kind="stance", writer=summary.writer, chart_png=timeline.chart_png,
    )  # fmt: skip
