"""What the briefing layer hands to its callers (CLI, Telegram): answers whose citations are data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

NOT_FOUND_ANSWER = "I could not find anything about this in the stored articles."
# Said above a stance timeline when the language model was meant to summarise it and did not.
SUMMARY_UNAVAILABLE_NOTE = (
    "The language model was unavailable, so the statements are shown without a summary."
)
SUMMARY_REJECTED_NOTE = (
    "The language model's summary could not be matched to the statements, so they are shown without one."
)


@dataclass(slots=True)
class Citation:
    """One numbered source: `[n]` in the answer text points here. URLs come only from the library."""

    n: int
    article_id: int
    url: str
    title: str
    outlet: str
    published: datetime | None
    quote: str

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "article_id": self.article_id,
            "url": self.url,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
            "quote": self.quote,
        }


@dataclass(slots=True)
class Briefing:
    """A written answer.

    `answer` is plain text: paragraphs separated by blank lines, `[n]` after each claim, lines starting
    with "## " as section headings (a speaker in a stance timeline, a story in a digest) and lines starting
    with "> " as context in the reporter's words (the sentence a stance statement leans on). Renderers turn
    those into their own markup; nothing else in the text is markup.
    """

    answer: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    kind: str = "briefing"  # briefing | stance | digest
    writer: str = "offline"  # which writer produced it: offline | llm
    # Said to the user when the answer is not what they asked for, e.g. the LLM failed and the offline
    # writer stepped in.
    note: str | None = None
    # A PNG chart (statements over time) for stance answers, when there is something to plot.
    chart_png: bytes | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "answer": self.answer,
            "found": self.found,
            "citations": [c.as_dict() for c in self.citations],
            "kind": self.kind,
            "writer": self.writer,
            "note": self.note,
        }
