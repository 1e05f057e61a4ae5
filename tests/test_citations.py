"""Citation checks: markers normalised, unsupported or invented citations removed, numbers ↔ citations."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from briefing.citations import (
    MARKER,
    Passage,
    SentenceEmbeddings,
    attach,
    check,
    figures,
    normalise_markers,
    renumber,
    strip_links,
)
from retrieval.embedder import LocalEmbedder
from retrieval.types import Hit


def hit(article_id: int, text: str, *, title: str = "", outlet: str = "Daily", day: int | None = 3) -> Hit:
    return Hit(
        chunk_id=f"{article_id}:0", article_id=article_id, title=title or f"Article {article_id}",
        url=f"https://news.example.org/{article_id}", outlet=outlet,
        published=datetime(2025, 3, day, tzinfo=UTC) if day else None, text=text, score=1.0, similarity=0.6,
    )  # fmt: skip


TIDAL = hit(
    1,
    "The coastal city of Porthaven switched on a tidal power plant on Monday. The plant uses twelve "
    "underwater turbines. Mayor Ines Carvalho said the project took nine years from the first survey to the "
    "opening.",
    title="Harbour city opens tidal power plant",
    outlet="Coastal Courier",
)
BANK = hit(
    2,
    "The central bank of Norland kept its main interest rate at 3.5 percent on Thursday. Governor Petra Lind "
    "said the bank would wait for clearer signs that inflation is slowing.",
    title="Central bank holds rate",
    outlet="Finance Daily",
)
TIDAL_MORE = hit(
    1,
    "Fishermen worried about the turbines at first, but a study found no harm to fish stocks.",
    title="Harbour city opens tidal power plant",
    outlet="Coastal Courier",
)
PASSAGES = [Passage(1, TIDAL), Passage(2, BANK), Passage(3, TIDAL_MORE)]


@pytest.fixture
def embeddings(embedder: LocalEmbedder) -> SentenceEmbeddings:
    return SentenceEmbeddings(embedder)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A fact [1, 2].", "A fact [1][2]."),
        ("A fact [1,2; 4].", "A fact [1][2][4]."),
        ("A fact [1-3].", "A fact [1][2][3]."),
        ("A fact [2–3].", "A fact [2][3]."),
        ("A fact [Source 2].", "A fact [2]."),
        ("A fact [source: 1, 1].", "A fact [1]."),
        ("A fact [1][2].", "A fact [1][2]."),
        ("Not a citation [a].", "Not a citation [a]."),
    ],
)
def test_marker_forms_are_normalised(raw: str, expected: str) -> None:
    assert normalise_markers(raw) == expected


def test_links_and_markdown_are_removed_but_their_words_stay() -> None:
    text = (
        "Read **[the report](https://evil.example.com/x?a=1)** or visit https://evil.example.com/page and "
        "www.x.io.\n- Rates held at 3.5 percent [1]."
    )
    cleaned = strip_links(text)
    assert "http" not in cleaned and "www." not in cleaned and "](" not in cleaned and "**" not in cleaned
    assert "the report" in cleaned and "\nRates held at 3.5 percent [1]." in cleaned


def test_attach_places_markers_at_the_end_of_the_sentence() -> None:
    assert attach("Rates held.", [2]) == "Rates held [2]."
    assert attach('"We wait," she said.', [1, 3]) == '"We wait," she said [1][3].'
    assert attach("He said “no.”", [1]) == "He said “no.” [1]"


async def test_supported_sentences_are_kept_and_renumbered_by_first_use(
    embeddings: SentenceEmbeddings,
) -> None:
    text = (
        "The central bank of Norland kept its interest rate at 3.5 percent [2]. "
        "Porthaven switched on a tidal power plant with twelve underwater turbines [1]."
    )
    checked = await check(text, PASSAGES, embeddings, require_citation=True)
    assert checked.dropped == 0 and not checked.flagged
    assert checked.text.index("[1]") < checked.text.index("[2]")
    assert [c.n for c in checked.citations] == [1, 2]
    assert checked.citations[0].article_id == BANK.article_id
    assert checked.citations[0].url == BANK.url
    assert "3.5 percent" in checked.citations[0].quote
    assert "Porthaven" in checked.citations[1].quote and checked.citations[1].quote in TIDAL.text


async def test_invented_numbers_unsupported_and_uncited_sentences_are_dropped(
    embeddings: SentenceEmbeddings,
) -> None:
    text = (
        "Porthaven opened a tidal power plant on Monday [1][7]. "
        "The mayor was arrested for fraud in Paris last year [1]. "
        "The plant is the largest in the world. "
        "Governor Petra Lind said the bank would wait for signs of slower inflation [9]."
    )
    checked = await check(text, PASSAGES, embeddings, require_citation=True)
    assert "tidal power plant" in checked.text
    assert "arrested" not in checked.text  # cites a real passage that does not say so
    assert "largest" not in checked.text  # no citation at all
    assert "Petra Lind" not in checked.text  # cites only a source that does not exist
    assert "[7]" not in checked.text and "[9]" not in checked.text
    assert checked.dropped == 3
    assert [c.n for c in checked.citations] == [1]


def test_figures_are_written_one_way() -> None:
    assert figures("1,200 people on 27th Feb 2025 paid 3.5% more; code X07") == {
        "1200",
        "27",
        "2025",
        "3.5",
        "7",
    }
    assert figures("twelve turbines, nine years", spelled=True) == {"12", "9"}
    assert figures("twelve turbines") == set()  # spelled numbers count on the source side only


async def test_a_figure_the_sources_never_state_drops_the_sentence(embeddings: SentenceEmbeddings) -> None:
    text = (
        "Porthaven's tidal plant uses 12 underwater turbines [1]. "
        "Mayor Ines Carvalho said the project took nine years, code ZX4471 [1]. "
        "The central bank of Norland kept its main interest rate at 4.5 percent on Thursday [2]. "
        "The central bank of Norland kept its main interest rate at 3.5 percent on 3 March 2025 [2]."
    )
    checked = await check(text, PASSAGES, embeddings, require_citation=True)
    assert "12 underwater turbines" in checked.text  # "twelve" in the source states it
    assert "3.5 percent on 3 March 2025" in checked.text  # the passage's date counts
    assert "ZX4471" not in checked.text and "4.5" not in checked.text
    assert checked.dropped == 2


async def test_offline_text_keeps_uncited_sentences(embeddings: SentenceEmbeddings) -> None:
    checked = await check("Porthaven has a new tidal plant [1].\n\n## Heading", PASSAGES, embeddings,
                          require_citation=False)  # fmt: skip
    assert "Porthaven" in checked.text


async def test_two_passages_of_one_article_share_a_number(embeddings: SentenceEmbeddings) -> None:
    text = (
        "Porthaven switched on a tidal power plant [1]. A study found the turbines did no harm to fish [3]."
    )
    checked = await check(text, PASSAGES, embeddings, require_citation=True)
    assert [c.n for c in checked.citations] == [1]
    assert set(MARKER.findall(checked.text)) == {"1"}


async def test_nothing_supported_is_flagged_rather_than_emptied(embeddings: SentenceEmbeddings) -> None:
    checked = await check(
        "Volcanoes erupted across Iceland overnight [2].", PASSAGES, embeddings, require_citation=True
    )
    assert checked.flagged
    assert "Iceland" in checked.text and [c.n for c in checked.citations] == [1]


async def test_links_never_survive_the_check(embeddings: SentenceEmbeddings) -> None:
    text = "Porthaven switched on a tidal power plant, see [here](https://evil.example.com/p) [1]. https://x.io/a"
    checked = await check(text, PASSAGES, embeddings, require_citation=True)
    assert "http" not in checked.text and "evil" not in checked.text
    assert all(c.url.startswith("https://news.example.org/") for c in checked.citations)


def _random_text(rng: random.Random, sentences: list[str]) -> str:
    forms = [
        lambda ns: "".join(f"[{n}]" for n in ns),
        lambda ns: "[" + ", ".join(str(n) for n in ns) + "]",
        lambda ns: f"[{min(ns)}-{max(ns)}]",
        lambda ns: " ".join(f"[{n}]" for n in ns),
    ]
    paragraphs = []
    for _ in range(rng.randint(1, 3)):
        parts = []
        for _ in range(rng.randint(1, 4)):
            sentence = rng.choice(sentences).rstrip(".")
            numbers = rng.sample(range(0, 7), rng.randint(0, 3))
            tag = rng.choice(forms)(numbers) if numbers else ""
            parts.append(f"{sentence} {tag}." if rng.random() < 0.5 else f"{sentence}. {tag}")
        paragraphs.append(" ".join(parts))
    return "\n\n".join(paragraphs)


async def test_property_every_marker_has_a_citation_and_back(embeddings: SentenceEmbeddings) -> None:
    """Whatever the writer produced, the text's [n] and the citation numbers are the same set, 1..N."""
    rng = random.Random(20250227)
    sentences = [s for p in PASSAGES for s in re.split(r"(?<=\.) ", p.hit.text)] + [
        "The council banned cars from the village centre.",
        "Visit https://evil.example.com/now for more.",
    ]
    for _ in range(60):
        text = _random_text(rng, sentences)
        for require in (True, False):
            checked = await check(text, PASSAGES, embeddings, require_citation=require)
            used = [int(n) for n in MARKER.findall(checked.text)]
            numbers = [c.n for c in checked.citations]
            assert set(used) == set(numbers), text
            assert numbers == list(range(1, len(numbers) + 1))
            assert list(dict.fromkeys(used)) == numbers  # numbered in order of first use
            assert all(c.article_id in {1, 2} and c.quote for c in checked.citations)
            assert "http" not in checked.text
        text2, cites = renumber(text, PASSAGES)
        assert set(int(n) for n in MARKER.findall(text2)) == {c.n for c in cites}
