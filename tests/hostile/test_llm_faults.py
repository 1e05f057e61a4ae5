"""A failing LLM endpoint, seen from Telegram: a question goes in, and an answer always comes out.

The real bot asks the local OpenAI-compatible server (through the real `openai` client) and the server
injects the faults the real API produces. Whatever fails, the user gets a briefing: the model's when a
retry saves it, else the offline writer's with a note saying the model was unavailable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.services import llm_config
from briefing.llm import FALLBACK_NOTE, LLMWriter
from briefing.writer import OfflineWriter
from retrieval.embed import LocalEmbedder
from tests.support.corpus import CORPUS, make_settings
from tests.support.llm_env import ALICE, Env, Reply, llm_bot, replies
from tests.support.llm_server import LlmReply, LlmServer, faithful

QUESTION = "How much of its electricity will Porthaven get from the new tidal power plant?"
ADMIN = 9001
QUOTA_NOTICE = "quota is used up"
TIDAL_URL = "https://news.example.org/energy/tidal-plant"


@pytest.fixture
async def llm() -> AsyncIterator[LlmServer]:
    async with LlmServer() as server:
        server.responder = faithful
        yield server


async def bot(
    tmp_path: Path, embedder: LocalEmbedder, llm: LlmServer, **overrides: Any
) -> AsyncIterator[Env]:
    async for env in llm_bot(tmp_path, embedder, llm, admin_chat_id=ADMIN, **overrides):
        results = await env.rt.services.ingestor.ingest_many(CORPUS)
        assert all(r.ok for r in results)
        yield env


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder, llm: LlmServer) -> AsyncIterator[Env]:
    async for e in bot(tmp_path, embedder, llm):
        yield e


async def ask(env: Env, question: str = QUESTION) -> Reply:
    """The whole answer to one question, as Telegram shows it (one message for these short briefings)."""
    [reply] = replies(await env.send(env.tg.make_text_message(ALICE, question)))
    assert reply.previews_disabled
    return reply


def assert_from_model(reply: Reply, llm: LlmServer) -> None:
    """The briefing is the model's own sentence, cited and linked, with no fallback note."""
    expected = faithful(llm.chat_requests[-1])
    assert reply.text.startswith(expected)
    assert "language model" not in reply.text
    assert TIDAL_URL in reply.link_urls


def assert_offline_with_note(reply: Reply) -> None:
    """The offline writer's briefing, introduced by the product's note, with working citations."""
    note, _, rest = reply.text.partition("\n\n")
    assert note == FALLBACK_NOTE
    assert any(e["type"] == "italic" and e["offset"] == 0 for e in reply.entities)
    assert "Porthaven" in rest and "Sources" in rest
    assert TIDAL_URL in reply.link_urls


async def test_server_error_then_success_is_retried(env: Env, llm: LlmServer) -> None:
    llm.script(LlmReply.server_error(retry_after=0.01))
    reply = await ask(env)
    assert len(llm.chat_requests) == 2
    assert_from_model(reply, llm)


async def test_persistent_server_errors_fall_back_with_a_note(env: Env, llm: LlmServer) -> None:
    llm.responder = lambda request: LlmReply(
        status=503, error_type="server_error", error_message="overloaded"
    )
    reply = await ask(env)
    assert len(llm.chat_requests) == 3  # one try and LLM_MAX_RETRIES=2 retries
    assert_offline_with_note(reply)


async def test_timeouts_fall_back_with_a_note(
    tmp_path: Path, embedder: LocalEmbedder, llm: LlmServer
) -> None:
    llm.responder = lambda request: LlmReply.slow(faithful(request), delay=5.0)
    async for env in bot(tmp_path, embedder, llm, llm_timeout=0.5, llm_max_retries=1):
        reply = await ask(env)
        assert len(llm.chat_requests) == 2
        assert_offline_with_note(reply)


async def test_default_budget_for_one_answer_is_ninety_seconds(
    tmp_path: Path, embedder: LocalEmbedder
) -> None:
    """However the retries go, the default settings give the model 90 s in all before the fallback."""
    settings = make_settings(tmp_path, llm_base_url="http://127.0.0.1:9/v1")
    config = llm_config(settings)
    assert config is not None
    writer = LLMWriter.from_config(config, fallback=OfflineWriter(embedder))
    try:
        # Each call gets LLM_TIMEOUT; the whole answer the budget the README states.
        assert writer.timeout == settings.llm_timeout and writer.total_timeout == 90
    finally:
        await writer.aclose()


async def test_rate_limit_is_waited_out_then_answered(env: Env, llm: LlmServer) -> None:
    llm.script(LlmReply.rate_limited(retry_after=0.3))
    reply = await ask(env)
    first, second = (r for r in llm.requests if r.path == "/v1/chat/completions")
    assert second.timestamp - first.timestamp >= 0.29  # retry-after-ms was honoured
    assert_from_model(reply, llm)
    assert env.tg.sent_messages(ADMIN) == []


async def test_insufficient_quota_is_not_retried_and_the_admin_hears_once(env: Env, llm: LlmServer) -> None:
    llm.responder = lambda request: LlmReply.quota_exceeded()
    first = await ask(env)
    assert len(llm.chat_requests) == 1
    second = await ask(env, "Did the central bank of Norland change its interest rate?")
    for reply in (first, second):
        assert reply.text.startswith(FALLBACK_NOTE)
    assert_offline_with_note(first)
    assert "Norland" in second.text
    # No retry, and no call at all while the quota is known to be used up.
    assert len(llm.chat_requests) == 1
    [notice] = env.tg.sent_messages(ADMIN)
    assert QUOTA_NOTICE in str(notice.params["text"])


def admin_notices(env: Env) -> list[str]:
    """What the admin was told. The briefer tells the admin before the briefing is checked and sent, so once
    a question's reply is in, any notice it caused is in too."""
    return [str(call.params["text"]) for call in env.tg.sent_messages(ADMIN)]


def end_cooldown(env: Env) -> None:
    """Let the next question call the model again at once.

    After a quota error the writer leaves the endpoint alone for five minutes; the outages here are shorter.
    """
    writer = env.rt.briefer.writer
    assert isinstance(writer, LLMWriter)
    writer.quota_cooldown = 0.0


async def test_quota_notice_goes_out_once_per_outage(env: Env, llm: LlmServer) -> None:
    """Told when the quota runs out, not again while it stays out, told again once it ran out anew."""
    end_cooldown(env)
    llm.responder = lambda request: LlmReply.quota_exceeded()
    assert_offline_with_note(await ask(env))
    assert [QUOTA_NOTICE in n for n in admin_notices(env)] == [True]
    # The same outage: the model is asked again (no cooldown here) and refuses again; the admin knows.
    assert_offline_with_note(await ask(env))
    assert len(llm.chat_requests) == 2
    assert len(admin_notices(env)) == 1
    # Credit is back: the model answers.
    llm.responder = faithful
    assert_from_model(await ask(env), llm)
    assert len(admin_notices(env)) == 1
    # A new outage is news.
    llm.responder = lambda request: LlmReply.quota_exceeded()
    assert_offline_with_note(await ask(env))
    assert len(llm.chat_requests) == 4
    notices = admin_notices(env)
    assert len(notices) == 2 and QUOTA_NOTICE in notices[1]


async def test_quota_outage_across_a_restart_is_told_once(
    tmp_path: Path, embedder: LocalEmbedder, llm: LlmServer
) -> None:
    """The notice is kept in the data dir: a restart during the outage does not repeat it, and a successful
    call after the restart still re-arms it."""
    llm.responder = lambda request: LlmReply.quota_exceeded()
    async for env in bot(tmp_path, embedder, llm):
        assert_offline_with_note(await ask(env))
        assert len(admin_notices(env)) == 1
    async for env in llm_bot(tmp_path, embedder, llm, admin_chat_id=ADMIN):  # same data dir, articles kept
        end_cooldown(env)
        assert_offline_with_note(await ask(env))
        assert len(llm.chat_requests) == 2
        assert admin_notices(env) == []  # still the outage announced before the restart
        llm.responder = faithful
        assert_from_model(await ask(env), llm)
        llm.responder = lambda request: LlmReply.quota_exceeded()
        assert_offline_with_note(await ask(env))
        [notice] = admin_notices(env)
        assert QUOTA_NOTICE in notice


async def test_truncated_output_keeps_only_complete_sentences(env: Env, llm: LlmServer) -> None:
    llm.responder = lambda request: LlmReply.truncated(
        faithful(request) + " The mayor also said that the nine"
    )
    reply = await ask(env)
    assert_from_model(reply, llm)
    assert "the nine" not in reply.text and "also said" not in reply.text


async def test_truncated_output_without_a_full_sentence_falls_back(env: Env, llm: LlmServer) -> None:
    llm.script(LlmReply.truncated("The coastal city of Porthaven switched on a tidal power plant on"))
    reply = await ask(env)
    assert len(llm.chat_requests) == 1
    assert_offline_with_note(reply)
