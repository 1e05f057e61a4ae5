"""The one error handler, seen from the chat: what each kind of failure tells the user and the log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from retrieval.embed import LocalEmbedder
from retrieval.errors import BackendUnavailable, BriefbotError
from tests.support.bot_env import ALICE, Env, make_env
from tests.support.llm_env import replies


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, embedder):
        yield e


class _PressDown(BackendUnavailable):
    service = "the press agency"


def failing(error: Exception) -> Any:
    async def ask(*args: Any, **kwargs: Any) -> Any:
        raise error

    return ask


async def test_a_backend_outage_names_the_service_without_a_traceback(
    env: Env, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level("WARNING")
    monkeypatch.setattr(env.rt, "ask", failing(_PressDown("agency feed: HTTP 503")))
    [reply] = replies(await env.send(env.tg.make_text_message(ALICE, "What happened in Porthaven?")))
    assert reply.text.startswith("I can't answer right now: the press agency is not answering.")
    assert "503" not in reply.text  # the detail is for the log
    [record] = [r for r in caplog.records if "agency feed" in r.getMessage()]
    assert record.levelname == "WARNING" and record.exc_info is None


async def test_another_briefbot_error_is_told_as_its_message(
    env: Env, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level("WARNING")
    message = "That page is <b>not</b> an article & cannot be read."
    monkeypatch.setattr(env.rt, "ask", failing(BriefbotError(message)))
    [reply] = replies(await env.send(env.tg.make_text_message(ALICE, "What happened in Porthaven?")))
    # Sent as HTML, so the message's own brackets arrive as text, not as markup (or a rejected message).
    assert reply.text == message and not reply.entities
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]


async def test_a_bug_gets_the_apology_and_a_logged_traceback(
    env: Env, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(env.rt, "ask", failing(KeyError("answers")))
    [reply] = replies(await env.send(env.tg.make_text_message(ALICE, "What happened in Porthaven?")))
    assert reply.text.startswith("Sorry, something went wrong")
    assert [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info and r.exc_info[0] is KeyError]
