"""Questions and passages in different scripts: one relevance scale, the offline writer's language mark, and
an LLM briefing in the question's language that keeps each source's own words (the real `openai` client
against the local OpenAI-compatible server)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services import open_services
from briefing.briefer import build_briefer, judge_relevance, select_passages
from briefing.citations import Passage, SentenceEmbeddings, check
from briefing.crosslingual import (
    CrossScale,
    ScriptOffsets,
    effective_similarity,
    language_mark,
    quoted_original,
    rerank,
)
from briefing.llm import LLMWriter
from briefing.writer import OfflineWriter
from retrieval.embed import E5Embedder, LocalEmbedder, minilm_e5
from retrieval.store import Extracted, Hit
from tests.support.corpus import make_settings
from tests.support.llm_server import LlmServer

QUESTION = "What did Peskov say about the status of the new regions?"
RU_TEXT = (
    "Пресс-секретарь Кремля Дмитрий Песков заявил, что статус новых регионов закреплён в конституции и не "
    "может быть предметом торга. Он отвечал на вопросы журналистов во время ежедневного брифинга в Москве."
)
EN_TEXT = (
    "The port authority in Porthaven said the new ferry line would start in May. Tickets will cost the same "
    "as on the daytime crossings, the operator said on Monday."
)
OFFSETS = ScriptOffsets({("Latn", "Cyrl"): 0.1, ("Cyrl", "Latn"): 0.1, ("Cyrl", "Cyrl"): -0.05})


def hit(
    text: str, similarity: float | None, *, n: int = 1, language: str | None = None, score: float = 0.0
) -> Hit:
    return Hit(
        chunk_id=f"{n}:0", article_id=n, title="T", url=f"https://x.example/{n}", outlet="Outlet",
        published=datetime(2025, 3, 5, tzinfo=UTC), text=text, score=score or (similarity or 0.0),
        similarity=similarity, language=language,
    )  # fmt: skip


def test_a_cosine_is_moved_by_its_pair_of_scripts() -> None:
    assert effective_similarity(QUESTION, hit(RU_TEXT, 0.65), OFFSETS) == pytest.approx(0.75)
    assert effective_similarity(QUESTION, hit(EN_TEXT, 0.65), OFFSETS) == pytest.approx(0.65)
    assert effective_similarity("Что сказал Песков?", hit(RU_TEXT, 0.8), OFFSETS) == pytest.approx(0.75)
    assert effective_similarity(QUESTION, hit(RU_TEXT, None), OFFSETS) is None


def test_the_gate_and_the_margin_read_the_moved_cosine() -> None:
    russian, english = hit(RU_TEXT, 0.65, n=1), hit(EN_TEXT, 0.68, n=2)
    assert not judge_relevance(QUESTION, [english, russian], threshold=0.725).relevant
    verdict = judge_relevance(QUESTION, [english, russian], threshold=0.725, offsets=OFFSETS)
    assert verdict.relevant and verdict.best_similarity == pytest.approx(0.75)
    kept = select_passages(QUESTION, [english, russian], verdict, 0.055, OFFSETS)
    assert [p.hit.article_id for p in kept] == [1]  # the English passage is more than a margin below


def test_search_results_are_reranked_on_one_scale() -> None:
    hits = [hit(EN_TEXT, 0.70, n=2), hit(RU_TEXT, 0.65, n=1), hit(EN_TEXT, None, n=3, score=0.04)]
    assert [h.article_id for h in rerank(QUESTION, hits, OFFSETS, 2)] == [1, 2]
    assert [h.article_id for h in rerank(QUESTION, hits, ScriptOffsets(), 2)] == [2, 1]


def test_a_translation_counts_with_the_original_beside_it_only() -> None:
    sentences = {1: [RU_TEXT.split(". ")[0] + "."]}
    with_original = (
        "Peskov said the status of the new regions is fixed in the constitution («статус новых регионов "
        "закреплён в конституции») [1]."
    )
    assert quoted_original(with_original, sentences) == (1, 0)
    assert quoted_original("Peskov said the status is fixed in the constitution [1].", sentences) is None
    # Words that are not the source's, however Russian they look.
    assert (
        quoted_original("Peskov said so («статус регионов окончательно решён навсегда») [1].", sentences)
        is None
    )
    assert quoted_original("Песков: «статус новых регионов закреплён в конституции» [1].", sentences) is None


def test_language_mark() -> None:
    assert language_mark(QUESTION, hit(RU_TEXT, 0.7, language="ru"), RU_TEXT) == "[ru] "
    assert language_mark(QUESTION, hit(EN_TEXT, 0.7, language="en"), EN_TEXT) == ""
    assert language_mark("Что сказали в порту?", hit(EN_TEXT, 0.7), EN_TEXT) == "[en] "


async def test_the_offline_writer_shows_the_russian_sentence_marked(embedder: LocalEmbedder) -> None:
    cross = CrossScale(OFFSETS, bar=0.725, margin=0.055, sentence_bar=0.42, sentence_margin=0.12)
    passages = [Passage(1, hit(RU_TEXT, 0.66, language="ru")), Passage(2, hit(EN_TEXT, 0.69, n=2))]
    draft = await OfflineWriter(embedder, cross=cross).write(QUESTION, passages)
    assert draft.found and draft.text.startswith("[ru] Пресс-секретарь Кремля Дмитрий Песков заявил")
    # The sentence model alone reads the Russian sentence as noise: the ferry leads the answer.
    alone = await OfflineWriter(embedder).write(QUESTION, passages)
    assert not alone.text.startswith("[ru]")


@pytest.fixture
async def llm() -> AsyncIterator[LlmServer]:
    async with LlmServer() as server:
        yield server


async def test_the_llm_writes_in_the_question_language_and_keeps_the_original(
    llm: LlmServer, embedder: LocalEmbedder
) -> None:
    passages = [
        Passage(1, hit(RU_TEXT, 0.66, language="ru")),
        Passage(2, hit(EN_TEXT, 0.5, n=2, language="en")),
    ]
    translated = (
        "Kremlin spokesman Dmitry Peskov said the status of the new regions is fixed in the constitution and "
        "cannot be bargained over («статус новых регионов закреплён в конституции и не может быть предметом "
        "торга») [1]."
    )
    without_original = "Peskov also said the regions would be handed back next year [1]."
    llm.script(f"{translated} {without_original}")
    writer = LLMWriter(
        model="gpt-test", base_url=f"{llm.url}/v1", api_key="sk-test", fallback=OfflineWriter(embedder),
        timeout=5.0, max_retries=0, total_timeout=20.0,
    )  # fmt: skip
    try:
        draft = await writer.write(QUESTION, passages)
    finally:
        await writer.aclose()
    [request] = llm.chat_requests
    system, user = (" ".join(m["content"].split()) for m in (request["messages"][0], request["messages"][-1]))
    assert "language of the question" in system and "own words" in system
    assert "in English," in user and "language: Russian" in user and "language: English" in user
    checked = await check(draft.text, passages, SentenceEmbeddings(embedder), require_citation=True)
    assert "закреплён в конституции" in checked.text and "Kremlin spokesman" in checked.text
    assert "handed back" not in checked.text  # a translation with no original beside it cannot be checked
    assert checked.citations[0].quote.startswith("Пресс-секретарь Кремля")


# ---- through the real stack, with the multilingual ensemble ----------------------------------------------


async def test_questions_find_answers_in_the_other_script(
    tmp_path: Path, embedder: LocalEmbedder, e5: E5Embedder
) -> None:
    from bench.crosslingual_set import CLUSTERS

    chosen = [c for c in CLUSTERS if c.key in ("ferry", "dockers", "bridge", "grain", "flood", "peskov")]
    items = [
        Extracted(text=text, title=title, url=f"https://x.example/{c.key}-{lang}", site="Wire")
        for c in chosen
        for lang, title, text in ((c.lang, c.title, c.text), ("en", c.en_title, c.en_text))
    ]
    services = await open_services(make_settings(tmp_path / "data"), embedder=minilm_e5(embedder, e5))
    try:
        assert all(r.status == "added" for r in await services.ingestor.ingest_many(items))
        briefer = build_briefer(services)
        ferry = next(c for c in chosen if c.key == "ferry")
        english = await briefer.ask(ferry.to_x)  # English question, Russian answer
        assert english.found and english.citations[0].url.endswith("ferry-ru")
        assert "[ru] " in english.answer
        russian = await briefer.ask(ferry.to_en)  # Russian question, English answer
        assert russian.found and any(c.url.endswith("ferry-en") for c in russian.citations)
        assert "[en] " in russian.answer
        assert not (await briefer.ask("Who won the Tour de France this year?")).found
        assert not (await briefer.ask("Как приготовить борщ с фасолью?")).found
    finally:
        # The shared embedders outlive this test: only what it opened is closed.
        services.index.close()
        services.library.close()


# ---- one speaker whichever way г is read ------------------------------------------------------------------

SYBIHA = [
    Extracted(
        title="Сибига: Киев готов к обмену", url="https://x.example/ru-sybiha", site="Вестник",
        text="Министр иностранных дел Украины Андрей Сибига заявил во вторник, что Киев готов обсуждать "
        "обмен пленными.", published=datetime(2025, 3, 5, tzinfo=UTC),
    ),
    Extracted(
        title="Сибіга: жодного заморожування", url="https://x.example/uk-sybiha", site="Дзвін",
        text="Міністр закордонних справ України Андрій Сибіга заявив у понеділок, що Київ не погодиться на "
        "заморожування конфлікту.", published=datetime(2025, 3, 5, tzinfo=UTC),
    ),
    Extracted(
        title="Sybiha on prisoner swaps", url="https://x.example/en-sybiha", site="North Wire",
        text="Ukrainian Foreign Minister Andrii Sybiha said on Friday that Kyiv wanted an all-for-all "
        "prisoner exchange.", published=datetime(2025, 3, 8, tzinfo=UTC),
    ),
    Extracted(
        title="Budget vote", url="https://x.example/en-gill", site="North Wire",
        text="Councillor Martin Gill said the budget would pass in May. Councillor Rosa Hill said the "
        "budget would fail.", published=datetime(2025, 3, 8, tzinfo=UTC),
    ),
]  # fmt: skip


async def test_one_speaker_whichever_way_g_is_read(tmp_path: Path, embedder: LocalEmbedder) -> None:
    from briefing.stance import StanceService
    from briefing.watch import PositionWatch
    from retrieval.store import SearchFilters

    services = await open_services(make_settings(tmp_path / "data"), embedder=embedder)
    try:
        results = await services.ingestor.ingest_many(SYBIHA)
        assert all(r.status == "added" for r in results)
        stance = StanceService(services.library, services.searcher)
        # Asked in Latin, Ukrainian or Russian letters: the Russian spelling (г read g), the Ukrainian one
        # (г read h) and the English one are one speaker, under one heading.
        for actor in ("Sybiha", "Сибіга", "Сибига", "Ukraine"):
            timeline = await stance.timeline(actor)
            assert timeline.found, actor
            headings = re.findall(r"^## (.*(?:Sybiha|Сибига|Сибіга).*)$", timeline.answer, re.MULTILINE)
            assert len(headings) == 1, (actor, timeline.answer)
            for words in ("обмен пленными", "заморожування конфлікту", "all-for-all"):
                assert words in timeline.answer, (actor, words)
        # A watch matches by the same rule: the Russian article is news for a watch on "Sybiha".
        russian = results[0].article
        assert russian is not None
        news = await PositionWatch(stance).news("Sybiha", None, scope="shared", fresh=[russian.id])
        assert [n.row.parts[0].speaker for n in news] == ["Андрей Сибига"]
        # Latin g and h stay apart: Hill is not Gill, though a search for one reads the other's key too.
        hill = re.findall(r"^## (.+)$", (await stance.timeline("Hill")).answer, re.MULTILINE)
        assert len(hill) == 1 and "Rosa Hill" in hill[0]
        found = await services.library.statements(speaker_terms=["Hill"], filters=SearchFilters())
        assert {s.speaker for s, _ in found} == {"Councillor Rosa Hill", "Councillor Martin Gill"}
        budget = results[3].article
        assert budget is not None
        gill = await PositionWatch(stance).news("Gill", None, scope="shared", fresh=[budget.id])
        assert [n.row.parts[0].speaker for n in gill] == ["Councillor Martin Gill"]
    finally:
        services.index.close()
        services.library.close()
