"""Shared pieces of the hostile LLM suites: the real bot wired to the local LLM server, and reply inspection.

The bot itself comes from tests/support/bot_env.py (`make_env`: the real PTB application polling the local
Bot API server); here it is pointed at `LlmServer` for its writer, or built with the API embedder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.embed import LocalEmbedder
from retrieval.fetch import HttpFetcher
from tests.support.bot_env import ALICE, Env, html_of, make_env, running_bot
from tests.support.llm_server import LlmServer
from tests.support.telegram_server import ApiCall, BotApiServer, parse_telegram_html

__all__ = ["ALICE", "Env", "Reply", "embedding_api_bot", "html_of", "llm_bot", "replies"]

# Ample for a local reply on a loaded 2-core machine (a spurious timeout would add a request and skew the
# counts the tests check); the timeout test sets its own, shorter one.
LLM_TIMEOUT = 5.0


async def llm_bot(
    tmp_path: Path, embedder: LocalEmbedder, llm: LlmServer, **overrides: Any
) -> AsyncIterator[Env]:
    """The bot with the LLM writer aimed at `llm`; `overrides` are further settings."""
    options: dict[str, Any] = {
        "llm_base_url": f"{llm.url}/v1",
        "llm_api_key": "sk-test",
        "llm_model": "gpt-test",
        "llm_timeout": LLM_TIMEOUT,
        "llm_max_retries": 2,
    } | overrides
    async for env in make_env(tmp_path, embedder, **options):
        yield env


async def embedding_api_bot(data_dir: Path, embedding_url: str, **overrides: Any) -> AsyncIterator[Env]:
    """The bot with EMBEDDING_BACKEND=openai at `embedding_url`, built by the product's own factory.

    Unlike `llm_bot`, nothing is injected: `open_services` builds and probes the API embedder itself.
    """
    async with BotApiServer() as tg, running_bot(
        tg, data_dir, None, fetcher=HttpFetcher(allow_private_networks=True), allowed_chat_ids=[ALICE],
        fetch_allow_private_networks=True, embedding_backend="openai", embedding_base_url=embedding_url,
        embedding_api_key="sk-test", **overrides,
    ) as env:  # fmt: skip
        yield env


@dataclass
class Reply:
    """One message as the user sees it: Telegram's plain text and entities, plus the raw call."""

    call: ApiCall
    text: str
    entities: list[dict[str, Any]]

    @property
    def link_urls(self) -> list[str]:
        return [e["url"] for e in self.entities if e["type"] == "text_link"]

    @property
    def previews_disabled(self) -> bool:
        options = self.call.params.get("link_preview_options") or {}
        return isinstance(options, dict) and options.get("is_disabled") is True


def replies(calls: list[ApiCall]) -> list[Reply]:
    """Parse each sent message the way Telegram would; raises if one is not valid Bot API HTML."""
    out = []
    for call in calls:
        raw = html_of(call)
        if str(call.params.get("parse_mode") or "").lower() == "html":
            text, entities = parse_telegram_html(raw)
        else:
            text, entities = raw, list(call.params.get("entities") or [])
        out.append(Reply(call, text, entities))
    return out
