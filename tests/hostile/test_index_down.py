"""The Chroma server goes away under the bot: answers come from keyword search, saying so, until it is up."""

from __future__ import annotations

from pathlib import Path

from retrieval.embed import LocalEmbedder
from tests.support.chroma_server import ChromaServer
from tests.support.corpus import CORPUS
from tests.support.telegram_server import BotApiServer
from tests.support.tg_env import ALICE, html_of, running_bot


async def test_questions_while_the_chroma_server_is_down(tmp_path: Path, embedder: LocalEmbedder) -> None:
    chroma = ChromaServer(tmp_path / "chroma").start()
    try:
        async with (
            BotApiServer() as tg,
            running_bot(
                tg, tmp_path / "data", embedder, chroma_host=chroma.host, chroma_port=chroma.port
            ) as env,
        ):
            await env.rt.services.ingestor.ingest_many(CORPUS)
            question = "What did the central bank of Norland decide about rates?"
            [before] = await env.send(env.tg.make_text_message(ALICE, question))
            assert "3.5 percent" in html_of(before)

            chroma.stop()
            [down] = await env.send(env.tg.make_text_message(ALICE, question))
            assert "keyword search alone" in html_of(down) and "3.5 percent" in html_of(down)
            assert "Traceback" not in html_of(down)

            chroma.start()  # same path and port: the stored vectors are back
            [after] = await env.send(env.tg.make_text_message(ALICE, question))
            assert "3.5 percent" in html_of(after) and "keyword search alone" not in html_of(after)
    finally:
        chroma.stop()
