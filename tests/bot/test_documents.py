"""Documents through the real bot: the python-telegram-bot application polls the local Bot API server, which
hands over each file through getFile and its download, as Telegram does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.handlers.library import adds_articles
from retrieval.embed import LocalEmbedder
from tests.support.bot_env import ALICE, BOB, GROUP, Env, html_of, make_env
from tests.support.documents import HARBOUR_PARAGRAPHS, docx_bomb, layout_pdf, scanned_pdf
from tests.support.telegram_updates import BOT_USERNAME

TITLE = "Porthaven harbour to be dredged"
PARAGRAPHS = HARBOUR_PARAGRAPHS[:3]
QUESTION = "When will the dredging of the northern channel start?"


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, embedder):
        yield e


@pytest.fixture(scope="module")
def report() -> bytes:
    return layout_pdf(TITLE, PARAGRAPHS * 4).data


async def _ask(env: Env, chat: int) -> str:
    replies = await env.send(env.tg.make_command(chat, "ask", QUESTION))
    return "\n".join(html_of(r) for r in replies)


async def test_a_sent_pdf_gets_a_card_and_answers_questions_in_its_chat_only(env: Env, report: bytes) -> None:
    [card] = await env.send(env.tg.make_document(ALICE, report, "harbour-report.pdf"))
    assert "✅" in html_of(card) and TITLE in html_of(card) and "PDF document" in html_of(card)
    assert env.tg.calls_to("getFile")  # downloaded through the Bot API
    answer = await _ask(env, ALICE)
    assert TITLE in answer and "spring" in answer
    # Another chat has not seen it; once it sends the same file, it has its own copy.
    assert TITLE not in await _ask(env, BOB)
    [card] = await env.send(env.tg.make_document(BOB, report, "copy.pdf"))
    assert "✅" in html_of(card) and "Already stored" not in html_of(card)
    assert TITLE in await _ask(env, BOB)
    [card] = await env.send(env.tg.make_document(ALICE, report, "again.pdf"))
    assert "Already stored" in html_of(card)


async def test_unreadable_documents_get_a_clear_card(env: Env) -> None:
    [card] = await env.send(env.tg.make_document(ALICE, scanned_pdf(1), "scan.pdf"))
    assert "Not added" in html_of(card) and "no text layer" in html_of(card) and "OCR" in html_of(card)
    [card] = await env.send(env.tg.make_document(ALICE, docx_bomb(PARAGRAPHS, 64), "minutes.docx"))
    assert "zip bomb" in html_of(card)
    downloads = len(env.tg.calls_to("getFile"))
    # Telegram reports a 30 MB file: refused before it is asked for.
    big = env.tg.make_document(ALICE, b"%PDF-1.7\n", "huge.pdf", declared_size=30_000_000)
    [card] = await env.send(big)
    assert "too large" in html_of(card) and "30.0 MB" in html_of(card)
    assert len(env.tg.calls_to("getFile")) == downloads
    assert (await env.rt.status(ALICE)).visible["articles"] == 0


async def test_groups_and_forwards(env: Env, report: bytes) -> None:
    # In a group a document is read when the caption mentions the bot.
    update = env.tg.make_document(GROUP, report, "harbour.pdf", caption=f"@{BOT_USERNAME} for the files")
    [card] = await env.send(update)
    assert "✅" in html_of(card)
    # A document forwarded from a channel is known by the channel's post.
    forwarded = env.tg.make_document(
        ALICE, report, "harbour.pdf", forward_from_channel=(-100123, "porthaven_news", 42)
    )
    [card] = await env.send(forwarded)
    assert "News Channel" in html_of(card)
    [article] = await env.rt.recent_articles(str(ALICE))
    assert article.url == "https://t.me/porthaven_news/42"


async def test_a_group_document_not_addressed_to_the_bot_is_left_alone(env: Env, report: bytes) -> None:
    env.tg.push_update(env.tg.make_document(GROUP, report, "minutes.pdf", caption="for the team"))
    # The sentinel: an addressed document pushed after it, whose card proves the first was passed over.
    addressed = env.tg.make_document(GROUP, report, "harbour.pdf", caption=f"@{BOT_USERNAME} please")
    [card] = await env.send(addressed)
    assert "✅" in html_of(card)
    assert len(env.tg.file_requests) == 1  # only the addressed one was downloaded
    assert len(env.tg.sent_messages(GROUP)) == 1
    [article] = await env.rt.recent_articles(str(GROUP))
    assert article.title == TITLE


async def test_a_document_waits_in_the_inbox_until_it_is_handled(env: Env, report: bytes) -> None:
    update = Update.de_json(env.tg.make_document(ALICE, report, "harbour.pdf"), Bot(env.tg.token))
    # Kept by its file_id: a restart downloads it again.
    assert adds_articles(update)
