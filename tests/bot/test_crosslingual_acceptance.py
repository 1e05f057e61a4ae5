"""Issue 20's "done means": a Russian statement by Peskov appears, dated and cited, in the English answer to
"What is the Kremlin's stance on the annexed regions?", next to the English ones, under one speaker; through
the CLI (`ask`, `stance`) and through the real bot in Telegram.

The Russian article's statement is read by the product's Russian rules (retrieval/statements/_slavic*.py):
dash dialogue with the speaker after the verb, the day from the sentence ("во вторник" in an article of
Wednesday 5 March is 4 March), the name in the nominative and the role.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services import Services, open_services
from retrieval.embed import LocalEmbedder
from retrieval.store import Extracted
from tests.support.bot_env import ALICE, Env, html_of, make_env
from tests.support.cli import briefbot
from tests.support.corpus import make_settings

QUESTION = "What is the Kremlin's stance on the annexed regions?"

# Written for these tests (invented wording).
RUSSIAN = Extracted(
    title="Песков: статус новых регионов закреплён в конституции",
    text=(
        "«Статус новых регионов закреплён в конституции и не может быть предметом торга», — сказал во "
        "вторник пресс-секретарь Кремля Дмитрий Песков. Он отвечал на вопросы журналистов во время "
        "ежедневного брифинга.\n\n"
        "Собеседники агентства отмечают, что позиция Москвы по этому вопросу не менялась с прошлой осени."
    ),
    url="https://vestnik.example.ru/politika/peskov-status-regionov", site="Вестник",
    published=datetime(2025, 3, 5, tzinfo=UTC),
)  # fmt: skip
ENGLISH = [
    Extracted(
        title="Kremlin says annexed regions will stay Russian",
        text=(
            "Kremlin spokesman Dmitry Peskov said on Monday that the annexed regions would never be handed "
            "back to Ukraine under any peace deal. He spoke to reporters on a conference call from Moscow."
        ),
        url="https://north.example.com/kremlin-regions", site="North Wire",
        published=datetime(2025, 3, 10, tzinfo=UTC),
    ),
    Extracted(
        title="Putin cites constitution on annexed regions",
        text=(
            "Russian President Vladimir Putin said on Wednesday that the four annexed regions were written "
            "into the Russian constitution and their status was not up for discussion. He made the remarks "
            "at a meeting with senior officials in the Kremlin."
        ),
        url="https://north.example.com/putin-constitution", site="North Wire",
        published=datetime(2025, 2, 5, tzinfo=UTC),
    ),
]  # fmt: skip


def check_answer(text: str) -> None:
    """One Peskov section, in Latin letters, holding the Russian statement (dated, marked, cited) beside the
    English one; the Russian outlet among the sources."""
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE) or re.findall(r"<b>([^<]+)</b>", text)
    peskov = [h for h in headings if "Peskov" in h or "Песков" in h]
    assert len(peskov) == 1 and peskov[0].startswith("Dmitry Peskov"), headings
    assert "Дмитрий Песков" not in text
    russian = [line for line in text.splitlines() if "Статус новых регионов" in line and " — " in line]
    assert len(russian) == 1, text
    assert russian[0].startswith("4 Mar 2025 — [ru] ") and re.search(r"Вестник.*\[\d+\]", russian[0]), russian
    assert "never be handed back" in text
    block = text.split(peskov[0], 1)[1].split("## ", 1)[0]
    assert "Статус новых регионов" in block and "never be handed back" in block  # under one speaker


async def _ingest(services: Services, scope: str) -> None:
    results = await services.ingestor.ingest_many([RUSSIAN, *ENGLISH], added_by=scope)
    assert [r.status for r in results] == ["added"] * 3
    russian = results[0].article
    assert russian is not None and russian.language == "ru"
    said = await services.library.statements(article_ids=[russian.id])
    named = [(s.speaker, s.role, s.kind, s.said_on) for s, _ in said if not s.unnamed]
    assert named == [
        ("Дмитрий Песков", "пресс-секретарь Кремля", "quote", datetime(2025, 3, 4, tzinfo=UTC))
    ], named


async def test_cli_ask_and_stance(tmp_path: Path, embedder: LocalEmbedder) -> None:
    data = tmp_path / "data"
    services = await open_services(make_settings(data), embedder=embedder)
    try:
        await _ingest(services, "shared")
    finally:
        services.index.close()
        services.library.close()
    asked = briefbot(data, "ask", QUESTION)
    assert asked.returncode == 0, asked.stderr
    check_answer(asked.stdout)
    for actor in ("Peskov", "Песков", "Пєсков"):
        stance = briefbot(data, "stance", actor)
        assert stance.returncode == 0, stance.stderr
        assert "Статус новых регионов" in stance.stdout and "never be handed back" in stance.stdout, actor
        heading = re.findall(r"^## (.+)$", stance.stdout, re.MULTILINE)
        assert len(heading) == 1, (actor, heading)
        # The name as the question wrote it: in Cyrillic when asked in Cyrillic.
        assert heading[0].startswith("Дмитрий Песков" if actor != "Peskov" else "Dmitry Peskov"), heading


def test_cli_asked_in_russian_or_ukrainian(tmp_path: Path, embedder: LocalEmbedder) -> None:
    """A stance question in Russian or Ukrainian goes to the timeline as the English one does: the same
    statements under one speaker, named in the question's script, the English one marked [en]."""
    data = tmp_path / "data"

    async def ingest() -> None:
        services = await open_services(make_settings(data), embedder=embedder)
        try:
            await _ingest(services, "shared")
        finally:
            services.index.close()
            services.library.close()

    asyncio.run(ingest())
    for question in ("Какова позиция Кремля по новым регионам?", "Яка позиція Пєскова щодо нових регіонів?"):
        asked = briefbot(data, "ask", question)
        assert asked.returncode == 0, asked.stderr
        headings = re.findall(r"^## (.+)$", asked.stdout, re.MULTILINE)
        peskov = [h for h in headings if "Песков" in h or "Peskov" in h]
        assert len(peskov) == 1 and peskov[0].startswith("Дмитрий Песков"), (question, headings)
        block = asked.stdout.split(peskov[0], 1)[1].split("## ", 1)[0]
        assert re.search(r"^4 Mar 2025 — «Статус новых регионов", block, re.MULTILINE), block
        assert re.search(r"^10 Mar 2025 — \[en\] .*never be handed back", block, re.MULTILINE), block


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, embedder):
        await _ingest(e.rt.services, str(ALICE))
        yield e


async def test_telegram(env: Env) -> None:
    replies = await env.send(env.tg.make_text_message(ALICE, QUESTION))
    html = html_of(replies[0])
    assert "Dmitry Peskov" in html and "Статус новых регионов" in html and "[ru]" in html
    assert "Дмитрий Песков" not in html
    plain = re.sub(r"<[^>]+>", "", html)
    row = next(line for line in plain.splitlines() if "Статус новых регионов" in line)
    assert row.startswith("4 Mar 2025 — [ru] ") and "Вестник" in row
    assert "never be handed back" in plain
