"""The composition root's own decisions: which LLM endpoint and model the bot ends up with."""

from __future__ import annotations

from pathlib import Path

from bot.services import resolve_llm_endpoint
from tests.support.chroma_server import free_port
from tests.support.corpus import make_settings
from tests.support.llm_server import LlmServer


async def test_auto_endpoint_is_adopted_with_its_own_model_when_it_answers(tmp_path: Path) -> None:
    async with LlmServer() as llm:
        settings = make_settings(tmp_path, llm_auto_base_url=f"{llm.url}/v1", llm_auto_model="qwen2.5:3b")
        resolved = await resolve_llm_endpoint(settings)
    assert resolved.llm_base_url == f"{llm.url}/v1" and resolved.llm_model == "qwen2.5:3b"
    assert resolved.llm_enabled and settings.llm_base_url is None  # the input is left as it was


async def test_an_explicit_model_wins_over_the_auto_model(tmp_path: Path) -> None:
    async with LlmServer() as llm:
        settings = make_settings(tmp_path, llm_auto_base_url=f"{llm.url}/v1", llm_model="llama3.1:8b")
        resolved = await resolve_llm_endpoint(settings)
    assert resolved.llm_model == "llama3.1:8b"


async def test_auto_endpoint_that_does_not_answer_leaves_the_bot_offline(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, llm_auto_base_url=f"http://127.0.0.1:{free_port()}/v1")
    resolved = await resolve_llm_endpoint(settings, timeout=1.0)
    assert resolved.llm_base_url is None and not resolved.llm_enabled
    assert resolved.llm_model == "gpt-4o-mini"


async def test_a_configured_endpoint_is_never_replaced(tmp_path: Path) -> None:
    async with LlmServer() as llm:
        settings = make_settings(
            tmp_path, llm_base_url="https://llm.example.org/v1", llm_auto_base_url=f"{llm.url}/v1"
        )
        resolved = await resolve_llm_endpoint(settings)
    assert resolved.llm_base_url == "https://llm.example.org/v1" and resolved.llm_model == "gpt-4o-mini"
    assert llm.requests == []  # not even probed
