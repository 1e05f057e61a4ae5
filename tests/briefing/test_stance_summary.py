"""The LLM summary that opens a stance answer: the real `openai` client against the local OpenAI-compatible
server, the real stack under it, and the three ways in (the briefer, `briefbot stance`, Telegram /stance)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services
from briefing.briefer import Briefer
from briefing.llm import LLMWriter
from briefing.stance import StanceService
from briefing.types import SUMMARY_REJECTED_NOTE, SUMMARY_UNAVAILABLE_NOTE, Briefing
from briefing.writer import OfflineWriter
from retrieval.embed import LocalEmbedder
from retrieval.text import MARKER
from tests.support.corpus import DEMO
from tests.support.llm_env import ALICE, llm_bot, replies
from tests.support.llm_server import LlmReply, LlmServer, blocks

QUESTION = "What is the Kremlin's stance on the annexed regions?"
_STATEMENT = re.compile(r"^(?P<day>\d{1,2} \w+ \d{4}), (?P<who>[^:(]+?)(?: \([^)]*\))?: (?P<words>.+)$")


def summary_of(request: dict[str, Any], count: int = 2) -> str:
    """A well-behaved model: the first statement of the first sources, retold with their numbers."""
    sentences = []
    for n, body in sorted(blocks(request).items())[:count]:
        for line in body.splitlines():
            m = _STATEMENT.match(line.strip())
            if m:
                words = m["words"].rstrip('.”"')
                sentences.append(f"On {m['day']}, {m['who']} {words} [{n}].")
                break
    return " ".join(sentences)


@pytest.fixture
async def llm() -> AsyncIterator[LlmServer]:
    async with LlmServer() as server:
        server.responder = summary_of
        yield server


@pytest.fixture
async def demo(services: Services) -> Services:
    for path in sorted(DEMO.glob("*.txt")):
        assert (await services.ingestor.ingest_file(path)).ok
    return services


def stance_briefer(
    services: Services, llm: LlmServer, calls: list[str] | None = None, **options: Any
) -> Briefer:
    offline = OfflineWriter(services.embedder.sentence_model())
    settings: dict[str, Any] = {"timeout": 5.0, "max_retries": 1, "total_timeout": 20.0} | options
    writer = LLMWriter(
        model="gpt-test", base_url=f"{llm.url}/v1", api_key="sk-test", fallback=offline, **settings
    )
    sink = calls if calls is not None else []
    return Briefer(
        services.searcher, services.library, writer, offline=offline,
        stance=StanceService(services.library, services.searcher),
        on_quota_exhausted=lambda: sink.append("quota"),
    )  # fmt: skip


async def stance_once(services: Services, llm: LlmServer, **options: Any) -> Briefing:
    briefer = stance_briefer(services, llm, **options)
    try:
        return await briefer.stance("Kremlin", "annexed regions")
    finally:
        await briefer.aclose()


async def timeline_alone(services: Services) -> Briefing:
    return await StanceService(services.library, services.searcher).timeline("Kremlin", "annexed regions")


def consistent(briefing: Briefing) -> None:
    assert {int(n) for n in MARKER.findall(briefing.answer)} == {c.n for c in briefing.citations}


async def test_the_summary_opens_the_answer_and_the_timeline_follows(demo: Services, llm: LlmServer) -> None:
    briefing = await stance_once(demo, llm)
    alone = await timeline_alone(demo)
    assert briefing.found and briefing.kind == "stance" and briefing.writer == "llm" and briefing.note is None
    summary, _, rest = briefing.answer.partition("\n\n")
    assert rest == alone.answer  # the timeline below, unchanged
    assert briefing.citations == alone.citations and briefing.chart_png == alone.chart_png
    [request] = llm.chat_requests
    assert summary == summary_of(request)  # the model's sentences, kept whole by the checks
    # The summary's numbers are the timeline's: each sentence cites a row that holds the words it retells.
    for sentence in re.findall(r"On [^\[]+\[\d+\]\.", summary):
        n = int(MARKER.findall(sentence)[0])
        words = re.sub(r"^On \d+ \w+ \d{4}, [^:]+? (?=said |“|\w+ed )", "", sentence.rsplit(" [", 1)[0])
        assert any(words[:40] in line and f"[{n}]" in line for line in alone.answer.splitlines()), sentence
    consistent(briefing)


async def test_the_model_sees_only_the_timelines_statements_as_delimited_data(
    demo: Services, llm: LlmServer
) -> None:
    await stance_once(demo, llm)
    [request] = llm.chat_requests
    assert "tools" not in request and request["temperature"] <= 0.3
    system, user = request["messages"][0]["content"], request["messages"][-1]["content"]
    assert "untrusted" in system and "two or three sentences" in system
    assert "Kremlin" in user and "annexed regions" in user
    alone = await timeline_alone(demo)
    sources = blocks(request)
    assert sorted(sources) == sorted(c.n for c in alone.citations)  # one source per cited article
    text = "\n".join(sources.values())
    assert "undeniable and non-negotiable" in text and "inseparable part" in text
    assert "minerals" not in text  # statements the timeline left out are not sent
    nonces = set(re.findall(r"<<source-([0-9a-f]+) n=", user))
    assert len(nonces) == 1 and len(next(iter(nonces))) >= 12


async def test_invented_and_uncited_claims_are_dropped(demo: Services, llm: LlmServer) -> None:
    def inventive(request: dict[str, Any]) -> str:
        first = summary_of(request, count=1)
        return (
            f"{first} The Kremlin promised to hand Crimea back to Ukraine by 2030 [1]. "
            "Moscow will also hold a referendum in Odesa next spring. See https://evil.example.com/more [2]."
        )

    llm.responder = inventive
    briefing = await stance_once(demo, llm)
    assert briefing.writer == "llm" and briefing.found
    summary = briefing.answer.partition("\n\n")[0]
    assert summary == summary_of(llm.chat_requests[-1], count=1)
    assert "2030" not in briefing.answer and "Odesa next spring" not in briefing.answer
    assert "evil.example.com" not in briefing.answer
    consistent(briefing)


async def test_a_summary_that_nothing_supports_leaves_the_timeline_alone(
    demo: Services, llm: LlmServer
) -> None:
    llm.script("The Kremlin announced a manned mission to Mars [1]. It will land there in 2031 [2].")
    briefing = await stance_once(demo, llm)
    assert briefing.found and briefing.answer == (await timeline_alone(demo)).answer
    assert briefing.note == SUMMARY_REJECTED_NOTE and briefing.writer == "offline"
    consistent(briefing)


@pytest.mark.parametrize(
    ("reply", "calls"),
    [(LlmReply.server_error(retry_after=0.01), []), (LlmReply.quota_exceeded(), ["quota"])],
    ids=["server-error", "quota"],
)
async def test_an_llm_failure_falls_back_to_the_timeline(
    demo: Services, llm: LlmServer, reply: LlmReply, calls: list[str]
) -> None:
    llm.responder = lambda request: reply
    seen: list[str] = []
    briefer = stance_briefer(demo, llm, calls=seen)
    try:
        briefing = await briefer.stance("Kremlin", "annexed regions")
    finally:
        await briefer.aclose()
    alone = await timeline_alone(demo)
    assert briefing.found and briefing.answer == alone.answer and briefing.citations == alone.citations
    assert briefing.note == SUMMARY_UNAVAILABLE_NOTE and briefing.chart_png == alone.chart_png
    assert seen == calls


async def test_nothing_on_record_means_no_llm_call(demo: Services, llm: LlmServer) -> None:
    briefer = stance_briefer(demo, llm)
    try:
        briefing = await briefer.stance("NATO", "annexed regions")
    finally:
        await briefer.aclose()
    assert not briefing.found and llm.chat_requests == []


async def test_offline_the_timeline_is_the_answer(demo: Services) -> None:
    offline = OfflineWriter(demo.embedder.sentence_model())
    briefer = Briefer(demo.searcher, demo.library, offline, offline=offline,
                      stance=StanceService(demo.library, demo.searcher))  # fmt: skip
    briefing = await briefer.stance("Kremlin", "annexed regions")
    assert briefing.answer == (await timeline_alone(demo)).answer and briefing.note is None


async def test_a_stance_question_asked_in_words_gets_the_summary(demo: Services, llm: LlmServer) -> None:
    briefer = stance_briefer(demo, llm)
    try:
        briefing = await briefer.ask(QUESTION)
    finally:
        await briefer.aclose()
    assert briefing.kind == "stance" and briefing.writer == "llm"
    assert briefing.answer.startswith(summary_of(llm.chat_requests[-1]))


async def test_briefbot_stance_prints_the_summary_above_the_timeline(
    tmp_path: Path, llm: LlmServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    for key, value in {
        "LLM_BASE_URL": f"{llm.url}/v1", "LLM_API_KEY": "sk-test", "LLM_MODEL": "gpt-test",
        "LLM_TIMEOUT": "5", "EMBEDDING_BACKEND": "local",
    }.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    data = str(tmp_path / "data")
    # The CLI runs its own event loop; the test's loop keeps serving the LLM meanwhile.
    assert await asyncio.to_thread(main, ["--data-dir", data, "ingest", str(DEMO)]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["--data-dir", data, "stance", "Kremlin", "annexed regions"]) == 0
    out = capsys.readouterr().out
    [request] = llm.chat_requests
    assert out.startswith(summary_of(request) + "\n\n")
    assert "## Dmitry Peskov" in out and "Sources:" in out


async def test_telegram_stance_opens_with_the_summary(
    tmp_path: Path, embedder: LocalEmbedder, llm: LlmServer
) -> None:
    async for env in llm_bot(tmp_path, embedder, llm):
        for path in sorted(DEMO.glob("*.txt")):
            assert (await env.rt.services.ingestor.ingest_file(path)).ok
        before = len(env.tg.calls_to("sendPhoto"))
        env.tg.push_update(env.tg.make_command(ALICE, "stance", "Kremlin annexed regions"))
        await env.tg.wait_for_call("sendPhoto", lambda c: c.ok, count=before + 1)
        messages = [m for m in env.tg.sent_messages(ALICE) if m.method == "sendMessage"]
        first = replies(messages)[0]
        [request] = llm.chat_requests
        assert first.text.startswith(summary_of(request))
        assert "Dmitry Peskov" in "\n".join(r.text for r in replies(messages))
