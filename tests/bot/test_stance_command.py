"""/stance through the real bot: an actor of several words, quoted, or split from the topic by "on"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrieval.embed import LocalEmbedder
from retrieval.store import Extracted
from tests.support.bot_env import ALICE, Env, html_of, make_env

_TEXT = (
    "Kremlin spokesman Dmitry Peskov said on Tuesday that the four regions would never be returned to "
    "Ukraine. Former president Dmitry Medvedev said the regions were a closed question and warned Kyiv "
    "against any offensive.\n\n"
    "The White House said on Wednesday that it would keep its sanctions in place until a ceasefire holds, "
    "and officials in Brussels pointed to the next summit."
)


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, embedder):
        item = Extracted(
            text=_TEXT, title="Moscow rules out returning the regions", url="https://wire.example/regions",
            site="Wire", published=datetime(2025, 3, 4, tzinfo=UTC),
        )  # fmt: skip
        [stored] = await e.rt.services.ingestor.ingest_many([item], added_by=str(ALICE))
        assert stored.statements >= 3
        yield e


async def _stance(env: Env, args: str) -> str:
    """The timeline's text (a chart may follow it)."""
    replies = await env.send(env.tg.make_command(ALICE, "stance", args))
    return html_of(replies[0])


@pytest.mark.parametrize(
    ("args", "said", "not_said"),
    [
        ("Dmitry Peskov regions", "never be returned", "closed question"),
        ("Dmitry Medvedev on the regions", "closed question", "never be returned"),
    ],
)
async def test_an_actor_of_two_words_is_one_actor(env: Env, args: str, said: str, not_said: str) -> None:
    reply = await _stance(env, args)
    assert said in reply and not_said not in reply


async def test_a_quoted_actor(env: Env) -> None:
    reply = await _stance(env, '"White House" sanctions')
    assert "sanctions in place" in reply and "White House" in reply


async def test_the_subject_is_read_from_the_words(env: Env) -> None:
    rt, scope = env.rt, str(ALICE)
    assert await rt.stance_subject("Dmitry Peskov new regions", scope) == ("Dmitry Peskov", "new regions")
    assert await rt.stance_subject("Kremlin annexed regions", scope) == ("Kremlin", "annexed regions")
    assert await rt.stance_subject("European Union: sanctions", scope) == ("European Union", "sanctions")
    assert await rt.stance_subject("“White House” tariffs", scope) == ("White House", "tariffs")
    assert await rt.stance_subject('"White House" on tariffs', scope) == ("White House", "tariffs")
    assert await rt.stance_subject("Lavrov", scope) == ("Lavrov", None)
