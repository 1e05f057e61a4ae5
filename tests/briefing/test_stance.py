"""Stance timelines through the real stack (SQLite, embedded Chroma, local embedder), question parsing and
the statements chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from briefing.chart import statements_chart
from briefing.stance import (
    StanceService,
    actor_terms,
    is_stance_question,
    parse_stance_question,
)
from briefing.types import NOT_FOUND_ANSWER, Briefing
from retrieval.statements import extract_statements
from retrieval.store import SearchFilters
from tests.support.corpus import DEMO, article

PNG = b"\x89PNG\r\n\x1a\n"

# Written for these tests: two outlets carry the same Peskov quote, Putin speaks on the topic and on
# something else, a Ukrainian official answers, and one article belongs to a single chat.
NORTH = article(
    "Kremlin says annexed regions will stay Russian",
    "Kremlin spokesperson Dmitry Peskov said on Monday that the annexed regions would never be handed back "
    "to Ukraine under any peace deal. He spoke to reporters on a conference call from Moscow.\n\n"
    '"The annexed regions are part of Russia forever," Peskov told reporters. Analysts in Kyiv said the '
    "remark left little room for talks on territory.",
    url="https://north.example.com/kremlin-regions",
    outlet="North Wire",
    date="2025-03-10",
)
EAST = article(
    "Moscow rules out territorial concessions",
    "Moscow will not trade away any of the land it annexed, the Kremlin's spokesman made clear this week. "
    "Kremlin spokesman Dmitry Peskov spoke on Monday, March 10, during his daily briefing.\n\n"
    '"The annexed regions are part of Russia forever," Peskov said. European diplomats said they had '
    "expected the hard line and were preparing a joint response for the summit in Brussels.",
    url="https://east.example.org/moscow-no-concessions",
    outlet="East Ledger",
    date="2025-03-11",
)
PUTIN = article(
    "Putin cites constitution on annexed regions",
    "Russian President Vladimir Putin said on Wednesday that the four annexed regions were written into "
    "the Russian constitution and their status was not up for discussion. He made the remarks at a "
    "meeting with senior officials in the Kremlin.",
    url="https://north.example.com/putin-constitution",
    outlet="North Wire",
    date="2025-02-05",
)
HARVEST = article(
    "Record grain harvest expected",
    "Russian President Vladimir Putin said the wheat harvest this year would break all records and that "
    "grain exporters should prepare new shipping routes through southern ports. Farm prices fell slightly "
    "after the announcement.",
    url="https://farm.example.net/grain-record",
    outlet="Farm Daily",
    date="2025-03-01",
)
KYIV = article(
    "Kyiv rejects Moscow's claim to annexed regions",
    "Ukrainian Foreign Ministry spokesman Georgiy Tykhy said the annexed regions remain Ukrainian territory "
    "under international law and that no Kremlin decree could change that. Kyiv has asked its partners to "
    "keep sanctions in place until every occupied region is returned.",
    url="https://kyiv.example.org/tykhy-regions",
    outlet="Kyiv Desk",
    date="2025-03-12",
)
PRIVATE = article(
    "Peskov on annexed regions in January",
    "Kremlin spokesperson Dmitry Peskov said on Monday that the status of the annexed regions was closed "
    "for good and that the Kremlin would not negotiate over any of them. He repeated the line twice.",
    url="https://private.example.com/peskov-january",
    outlet="Chat Tips",
    date="2025-01-20",
)


@pytest.fixture
async def stance(services):  # type: ignore[no-untyped-def]
    services.ingestor.statement_extractor = extract_statements
    results = await services.ingestor.ingest_many([NORTH, EAST, PUTIN, HARVEST, KYIV])
    assert [r.status for r in results] == ["added"] * 5
    assert all(r.statements for r in results)
    private = await services.ingestor.ingest_many([PRIVATE], added_by="chat-1")
    assert private[0].status == "added"
    return StanceService(services.library, services.searcher)


def sections(answer: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in answer.splitlines():
        if line.startswith("## "):
            current = line[3:]
            out[current] = []
        elif current and line.strip():
            out[current].append(line)
    return out


def line_date(line: str) -> datetime:
    return datetime.strptime(line.split(" — ")[0], "%d %b %Y")


def check_citations(briefing: Briefing) -> None:
    used = [int(n) for n in re.findall(r"\[(\d+)\]", briefing.answer)]
    assert set(used) == {c.n for c in briefing.citations}
    assert [c.n for c in briefing.citations] == list(range(1, len(briefing.citations) + 1))
    assert list(dict.fromkeys(used)) == sorted(set(used))  # numbered in order of first use
    for c in briefing.citations:
        assert c.url and c.title and c.outlet and c.quote
    # One number per article: a source list never repeats an article.
    assert len({c.article_id for c in briefing.citations}) == len(briefing.citations)


async def test_timeline_groups_orders_and_cites(stance) -> None:  # type: ignore[no-untyped-def]
    briefing = await stance.timeline("Kremlin", "annexed regions", filters=SearchFilters(scope="chat-2"))
    assert briefing.found and briefing.kind == "stance"
    check_citations(briefing)
    groups = sections(briefing.answer)
    assert set(groups) == {"Dmitry Peskov (Kremlin spokesperson)", "Vladimir Putin (Russian President)"}
    assert next(iter(groups)).startswith("Dmitry Peskov")  # the speaker with most statements first
    for lines in groups.values():
        dates = [line_date(line) for line in lines]
        assert dates == sorted(dates)
    putin = groups["Vladimir Putin (Russian President)"]
    assert putin == [line for line in putin if "wheat" not in line]  # off-topic statement dropped
    assert putin[0].startswith("5 Feb 2025 — said the four annexed regions were written into the Russian")
    overview = briefing.answer.splitlines()[0]
    assert overview.startswith(f"{sum(len(v) for v in groups.values())} statements by 2 speakers between ")
    assert briefing.chart_png is not None and briefing.chart_png.startswith(PNG)


async def test_same_quote_from_two_outlets_is_one_line_citing_both(stance) -> None:  # type: ignore[no-untyped-def]
    briefing = await stance.timeline("Kremlin", "annexed regions")
    quote_lines = [line for line in briefing.answer.splitlines() if "part of Russia forever" in line]
    assert len(quote_lines) == 1
    assert quote_lines[0].startswith("10 Mar 2025 — “The annexed regions are part of Russia forever.”")
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", quote_lines[0])]
    cited = {c.n: c for c in briefing.citations}
    assert {cited[n].outlet for n in numbers} == {"North Wire", "East Ledger"}
    # Each citation quotes a sentence of its own article in which Peskov speaks.
    assert all("Peskov" in cited[n].quote for n in numbers)


async def test_scope_controls_which_statements_are_seen(stance) -> None:  # type: ignore[no-untyped-def]
    def january(b: Briefing) -> bool:
        return any(line.startswith("20 Jan 2025") for line in b.answer.splitlines())

    other = await stance.timeline("Peskov", "annexed regions", filters=SearchFilters(scope="chat-2"))
    owner = await stance.timeline("Peskov", "annexed regions", filters=SearchFilters(scope="chat-1"))
    assert not january(other) and "Chat Tips" not in {c.outlet for c in other.citations}
    assert january(owner) and "Chat Tips" in {c.outlet for c in owner.citations}
    check_citations(owner)


async def test_the_other_side_and_nobody(stance) -> None:  # type: ignore[no-untyped-def]
    kyiv = await stance.timeline("Ukraine", "annexed regions")
    assert list(sections(kyiv.answer)) == ["Georgiy Tykhy (Ukrainian Foreign Ministry spokesman)"]
    assert kyiv.chart_png is None  # a single dated statement is not worth a chart
    nobody = await stance.timeline("NATO", "annexed regions")
    assert (nobody.found, nobody.answer, nobody.citations) == (False, NOT_FOUND_ANSWER, [])
    off_topic = await stance.timeline("Peskov", "football transfer rumours")
    assert not off_topic.found


async def test_without_a_topic_every_statement_counts(stance) -> None:  # type: ignore[no-untyped-def]
    briefing = await stance.timeline("Putin")
    lines = sections(briefing.answer)["Vladimir Putin (Russian President)"]
    assert any("wheat" in line for line in lines) and any("annexed" in line for line in lines)


async def test_demo_articles_answer_the_signature_question(services) -> None:  # type: ignore[no-untyped-def]
    services.ingestor.statement_extractor = extract_statements
    results = await services.ingestor.ingest_path(DEMO)
    assert sum(r.statements for r in results) >= 30
    query = parse_stance_question("What is the Kremlin's stance on the annexed regions?")
    assert query is not None
    briefing = await StanceService(services.library, services.searcher).timeline(query.actor, query.topic)
    check_citations(briefing)
    groups = sections(briefing.answer)
    peskov = next(lines for head, lines in groups.items() if head.startswith("Dmitry Peskov (Kremlin spokes"))
    line = next(line for line in peskov if "undeniable and non-negotiable" in line)
    # The quote leans on Peskov's sentence before it, so it is shown with it, on one row for both outlets.
    assert line.startswith("27 Feb 2025 — said the regions ")
    assert "inseparable part" in line and "“This is undeniable and non-negotiable.”" in line
    cited = [c for c in briefing.citations if f"[{c.n}]" in line]
    assert {c.outlet for c in cited} == {"Kyiv Post", "The Moscow Times"}
    assert line.endswith(" — " + ", ".join(f"{c.outlet} [{c.n}]" for c in cited))  # each outlet named
    lavrov = next(lines for head, lines in groups.items() if "Lavrov" in head)
    assert any(line.startswith("26 Feb 2025 — ") and "“This will not happen.”" in line for line in lavrov)
    assert briefing.chart_png is not None


# ---- questions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "actor", "topic"),
    [
        ("What is the Kremlin's stance on the annexed regions?", "Kremlin", "annexed regions"),
        ("what's the EU’s position on sanctions", "EU", "sanctions"),
        ("Peskov's position on the talks", "Peskov", "talks"),
        ("What does Lavrov think about peacekeepers?", "Lavrov", "peacekeepers"),
        ("What has Zelensky said about Kursk?", "Zelensky", "Kursk"),
        ("How does Russia view the minerals deal?", "Russia", "minerals deal"),
        ("Where does the White House stand on the ceasefire?", "White House", "ceasefire"),
        ("What is the position of NATO on Ukraine?", "NATO", "Ukraine"),
        ("What has Sergey Lavrov said?", "Sergey Lavrov", None),
    ],
)
def test_stance_questions(question: str, actor: str, topic: str | None) -> None:
    query = parse_stance_question(question)
    assert query is not None and (query.actor, query.topic) == (actor, topic)
    assert query.terms and is_stance_question(question)


@pytest.mark.parametrize(
    "question",
    [
        "What happened in Kursk last week?",
        "What is the capital of France?",
        "Summarise the news about the minerals deal",
        "What do you think about the ceasefire?",
        "What does the article say about Lavrov?",
        "How many regions did Russia annex?",
    ],
)
def test_other_questions(question: str) -> None:
    assert parse_stance_question(question) is None
    assert not is_stance_question(question)


@pytest.mark.parametrize(
    ("question", "actor", "topic"),
    [
        ("Какова позиция Кремля по новым регионам?", "Кремль", "новым регионам"),
        ("Что говорил Песков о переговорах?", "Песков", "переговорах"),
        ("Яка позиція Зеленського щодо перемир'я?", "Зеленський", "перемир'я"),
        # The genitive of "the position of X" back in the nominative: a full name, a woman's surname, a
        # Ukrainian soft stem, a surname in -а (Сибіга, Сибига), an institution.
        ("Какова позиция Дмитрия Пескова по санкциям", "Дмитрий Песков", "санкциям"),
        ("Какая позиция у Захаровой насчёт переговоров?", "Захарова", "переговоров"),
        ("Яка позиція Шмигаля щодо енергетики?", "Шмигаль", "енергетики"),
        ("Яка позиція Сибіги щодо санкцій?", "Сибіга", "санкцій"),
        ("Какова позиция Сибиги по санкциям?", "Сибига", "санкциям"),
        ("Какова позиция Белого дома по санкциям?", "Белый дом", "санкциям"),
        ("позиция России по переговорам", "Россия", "переговорам"),
        # The actor beside a verb of saying or thinking, before or after it, and "how does X regard".
        ("Что Лавров говорит о санкциях?", "Лавров", "санкциях"),
        ("Що казав Пєсков про переговори?", "Пєсков", "переговори"),
        ("Как Кремль относится к перемирию?", "Кремль", "перемирию"),
        ("Як Київ ставиться до перемир'я?", "Київ", "перемир'я"),
        ("Что заявлял Песков?", "Песков", None),
    ],
)
def test_stance_questions_in_russian_and_ukrainian(question: str, actor: str, topic: str | None) -> None:
    query = parse_stance_question(question)
    assert query is not None and (query.actor, query.topic) == (actor, topic)
    assert query.terms and is_stance_question(question)


def test_russian_and_ukrainian_actors_are_matched_as_english_ones_are() -> None:
    kremlin = parse_stance_question("Какова позиция Кремля по новым регионам?")
    assert kremlin is not None and kremlin.terms == actor_terms("Kremlin")
    kyiv = parse_stance_question("Яка позиція Києва щодо перемир'я?")
    assert kyiv is not None and kyiv.terms == actor_terms("Kyiv")


@pytest.mark.parametrize(
    "question",
    [
        "Какова погода в Москве?",
        "Что нового в Киеве?",
        "Что говорит статья о санкциях?",  # the text, not a speaker
        "Что говорил он о переговорах?",  # a pronoun
        "Какова позиция автора по санкциям?",
        "Сколько регионов аннексировала Россия?",
        "Как Россия аннексировала регионы?",
        "Что произошло на переговорах?",
        "Что такое позиция?",
        "Як приготувати борщ?",
        "Що відбулося в Києві минулого тижня?",
        "Яка позиція?",
    ],
)
def test_other_questions_in_russian_and_ukrainian(question: str) -> None:
    assert parse_stance_question(question) is None
    assert not is_stance_question(question)


def test_actor_terms() -> None:
    assert {"kremlin", "peskov", "putin"} <= set(actor_terms("Kremlin"))
    assert {"russia", "lavrov", "foreign ministry", "moscow"} <= set(actor_terms("Moscow"))
    assert {"ukrain", "zelensk", "kyiv"} <= set(actor_terms("Kyiv"))
    # An unknown person: the name, and the surname alone to catch other spellings of the first name.
    assert actor_terms("Sergey Lavrov") == ["sergey lavrov", "lavrov"]


async def test_speakers_are_matched_by_their_first_affiliation(services) -> None:  # type: ignore[no-untyped-def]
    services.ingestor.statement_extractor = extract_statements
    await services.ingestor.ingest_many(
        [
            article(
                "Envoy and adviser on annexed regions",
                "United States ambassador to the UN Jane Porter said the annexed regions belong to "
                "Ukraine and always will. Ukrainian presidential adviser Ivan Hrytsenko said the annexed "
                "regions would be returned through diplomacy, and he added that talks could start soon.",
                url="https://example.org/envoy",
                outlet="Example",
                date="2025-03-01",
            )
        ]
    )
    service = StanceService(services.library, services.searcher)
    us = sections((await service.timeline("US", "annexed regions")).answer)
    assert [h.split(" (")[0] for h in us] == ["Jane Porter"]
    assert not (await service.timeline("UN", "annexed regions")).found
    assert not (await service.timeline("Kremlin", "annexed regions")).found  # "presidential" is not enough
    ukraine = sections((await service.timeline("Ukraine", "annexed regions")).answer)
    assert [h.split(" (")[0] for h in ukraine] == ["Ivan Hrytsenko"]


# ---- chart ------------------------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def day(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def test_chart_is_a_phone_sized_png_and_deterministic() -> None:
    points = [
        (day(2025, 2, 12), "Dmitry Peskov"),
        (day(2025, 2, 27), "Dmitry Peskov"),
        (day(2025, 2, 27), "Dmitry Peskov"),
        (day(2025, 2, 26), "Sergey Lavrov"),
    ]
    png = statements_chart(points, "Kremlin on the annexed regions")
    assert png.startswith(PNG)
    assert png_size(png) == (1000, 500)
    assert statements_chart(points, "Kremlin on the annexed regions") == png
    assert statements_chart(points, "Another title") != png


def test_chart_with_many_speakers_or_one_day() -> None:
    many = [(day(2024, 1 + i % 12, 1 + i), f"Speaker number {i} with a rather long name") for i in range(25)]
    png = statements_chart(many, "A crowded timeline " * 10)
    assert png.startswith(PNG) and png_size(png) == (1000, 500)
    single_day = statements_chart([(day(2025, 2, 27), "A"), (day(2025, 2, 27), "B")], "One day")
    assert single_day.startswith(PNG)


def test_chart_leaves_no_figures_behind() -> None:
    from matplotlib._pylab_helpers import Gcf

    for _ in range(5):
        statements_chart([(day(2025, 1, 1), "A"), (day(2025, 2, 1), "B")], "t")
    assert Gcf.get_num_fig_managers() == 0
