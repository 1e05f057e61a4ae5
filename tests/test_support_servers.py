"""The protocol fakes must satisfy the real clients: python-telegram-bot and the openai SDK."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import openai
import pytest
from aiohttp import web
from openai.types.chat import ChatCompletionMessageParam
from telegram import Bot, MessageEntity, MessageOriginChannel, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.llm_server import LlmReply, LlmServer, embed_text
from tests.support.telegram_server import (
    BOT_USERNAME,
    BotApiServer,
    TelegramHtmlError,
    parse_telegram_html,
    utf16_len,
)

TOKEN = "424242:TEST-token-for-briefbot"
PRIVATE_CHAT = 5550001
GROUP_CHAT = -1001234567890
QUESTION: list[ChatCompletionMessageParam] = [{"role": "user", "content": "q"}]


@pytest.fixture
async def tg() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(tg: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{tg.url}/bot", base_file_url=f"{tg.url}/file/bot") as client:
        yield client


@pytest.fixture
async def llm() -> AsyncIterator[LlmServer]:
    async with LlmServer() as server:
        yield server


def _client(llm: LlmServer, *, max_retries: int = 0, timeout: float = 5.0) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=f"{llm.url}/v1", api_key="sk-test-key", max_retries=max_retries, timeout=timeout
    )


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# ----- Telegram HTML ---------------------------------------------------------------------------


def test_html_entities_have_utf16_offsets_and_decoded_text() -> None:
    html = '🗞 <b>Top</b> &amp; <a href="https://e.com/?a=1&amp;b=2">more</a> AT&T'
    text, entities = parse_telegram_html(html)

    assert text == "🗞 Top & more AT&T"
    bold, link = entities
    assert (bold["type"], bold["offset"], bold["length"]) == ("bold", utf16_len("🗞 "), 3)
    assert link["type"] == "text_link" and link["url"] == "https://e.com/?a=1&b=2"
    encoded = text.encode("utf-16-le")
    assert encoded[link["offset"] * 2 : (link["offset"] + link["length"]) * 2].decode("utf-16-le") == "more"


def test_pre_code_language_and_expandable_quote() -> None:
    text, entities = parse_telegram_html(
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote>'
    )
    assert text == "x = 1q"
    kinds = [(e["type"], e.get("language")) for e in entities]
    assert kinds == [("pre", "python"), ("expandable_blockquote", None)]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("a <br> b", 'Unsupported start tag "br" at byte offset 2'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("é<b>x</i>", 'Unmatched end tag at byte offset 6, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ],
)
def test_bad_html_is_refused_with_telegrams_reason(html: str, reason: str) -> None:
    with pytest.raises(TelegramHtmlError) as caught:
        parse_telegram_html(html)
    assert str(caught.value) == reason


# ----- Telegram Bot API through python-telegram-bot ---------------------------------------------


async def test_get_me_and_wrong_token(tg: BotApiServer, bot: Bot) -> None:
    assert bot.username == BOT_USERNAME
    assert bot.id == int(TOKEN.split(":")[0])
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=f"{tg.url}/bot"):
            pass


async def test_unknown_method_answers_like_telegram(tg: BotApiServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{tg.url}/bot{TOKEN}/noSuchMethod", json={}) as resp:
            body = await resp.json()
    assert resp.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_html_message_is_sent_as_parsed_text(tg: BotApiServer, bot: Bot) -> None:
    html = '<b>Brief</b> 🇺🇦 <a href="https://news.example/a?x=1&amp;y=2">source</a>'
    first = await bot.send_message(PRIVATE_CHAT, html, parse_mode=ParseMode.HTML)
    second = await bot.send_message(PRIVATE_CHAT, "plain")
    elsewhere = await bot.send_message(GROUP_CHAT, "hello group")

    assert first.text == "Brief 🇺🇦 source"
    links = first.parse_entities([MessageEntity.TEXT_LINK])
    assert [(e.url, text) for e, text in links.items()] == [("https://news.example/a?x=1&y=2", "source")]
    assert first.from_user is not None and first.from_user.username == BOT_USERNAME
    assert second.message_id == first.message_id + 1
    assert elsewhere.chat.type == "supergroup" and elsewhere.message_id == 1
    sent = tg.sent_messages(PRIVATE_CHAT)
    assert [call.params["text"] for call in sent] == [html, "plain"]
    assert sent[0].params["chat_id"] == PRIVATE_CHAT


async def test_invalid_html_and_overlong_text_are_refused(tg: BotApiServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag \"br\""):
        await bot.send_message(PRIVATE_CHAT, "line<br>line", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(PRIVATE_CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(PRIVATE_CHAT, photo=b"img", caption="c" * 1025)
    # The limit applies after tags are stripped.
    await bot.send_message(PRIVATE_CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)

    assert len(tg.sent_messages()) == 1
    assert [call.status for call in tg.calls_to("sendMessage")] == [400, 400, 200]


async def test_injected_faults_surface_as_ptb_errors(
    tg: BotApiServer, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opt in to PTB's future timedelta retry_after rather than trip its deprecation warning.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    tg.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(PRIVATE_CHAT, "one")
    assert _seconds(flood.value.retry_after) == 3
    await bot.send_message(PRIVATE_CHAT, "two")

    tg.fail_next("sendMessage", migrate_to_chat_id=-100777)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-777, "three")
    assert migrated.value.new_chat_id == -100777

    tg.fail_for_chat(999)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(999, "four")
    assert [call.params["text"] for call in tg.sent_messages()] == ["two"]


async def test_long_poll_returns_pushed_update_and_honours_offset(tg: BotApiServer, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await tg.wait_until_polling()
    tg.push_update(tg.make_text_message(PRIVATE_CHAT, "what happened today?"))
    # Returning inside the bound proves the long poll ended early instead of running out its 30 s.
    updates = await asyncio.wait_for(poll, timeout=5)

    assert [u.message.text for u in updates if u.message] == ["what happened today?"]
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()

    for n in range(3):
        tg.push_update(tg.make_text_message(PRIVATE_CHAT, f"m{n}"))
    limited = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in limited if u.message] == ["m0", "m1"]


async def test_photo_upload_keeps_bytes_and_serves_download(tg: BotApiServer, bot: Bot) -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    message = await bot.send_photo(PRIVATE_CHAT, image, caption="<i>chart</i>", parse_mode=ParseMode.HTML)

    call = tg.calls_to("sendPhoto")[0]
    assert call.files["photo"] == image
    assert message.caption == "chart"
    assert message.caption_entities[0].type == MessageEntity.ITALIC
    file = await bot.get_file(message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == image


async def test_builder_updates_parse_in_ptb(tg: BotApiServer, bot: Bot) -> None:
    post = tg.make_forwarded_channel_post(
        PRIVATE_CHAT,
        "Rates rise",
        channel_id=-1009876,
        channel_username="dailynews",
        channel_post_id=4321,
        origin_date=1_700_000_000,
    )
    forwarded = Update.de_json(post, bot)
    assert forwarded.message is not None
    origin = forwarded.message.forward_origin
    assert isinstance(origin, MessageOriginChannel)
    assert (origin.chat.username, origin.message_id) == ("dailynews", 4321)
    assert int(origin.date.timestamp()) == 1_700_000_000

    urls = ["https://example.com/a", "https://example.org/b?q=1"]
    with_urls = Update.de_json(tg.make_message_with_links(PRIVATE_CHAT, "🇺🇦 see " + urls[0], urls), bot)
    assert with_urls.message is not None
    assert list(with_urls.message.parse_entities([MessageEntity.URL]).values()) == urls

    labelled = Update.de_json(
        tg.make_message_with_links(PRIVATE_CHAT, "😀 one and two", {"two": "https://t.example/2"}), bot
    )
    assert labelled.message is not None
    [(entity, label)] = labelled.message.parse_entities([MessageEntity.TEXT_LINK]).items()
    assert (entity.url, label) == ("https://t.example/2", "two")


async def test_edit_and_delete_follow_telegram_rules(tg: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_message(PRIVATE_CHAT, "draft")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("draft", chat_id=PRIVATE_CHAT, message_id=sent.message_id)
    edited = await bot.edit_message_text(
        "<b>final</b>", chat_id=PRIVATE_CHAT, message_id=sent.message_id, parse_mode=ParseMode.HTML
    )
    assert not isinstance(edited, bool)
    assert edited.text == "final" and edited.edit_date is not None

    assert await bot.delete_message(PRIVATE_CHAT, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(PRIVATE_CHAT, sent.message_id)


async def test_application_polls_and_answers_group_command(tg: BotApiServer) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, f"<b>Q:</b> {' '.join(context.args or [])}", parse_mode=ParseMode.HTML
        )

    async def forwarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and isinstance(update.message.forward_origin, MessageOriginChannel)
        await update.message.reply_text(f"saved from @{update.message.forward_origin.chat.username}")

    app: Application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{tg.url}/bot")
        .base_file_url(f"{tg.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("ask", ask))
    app.add_handler(MessageHandler(filters.FORWARDED, forwarded))
    tg.push_update(tg.make_command(GROUP_CHAT, "ask", "rates today", mention_bot=True))
    tg.push_update(tg.make_forwarded_channel_post(PRIVATE_CHAT, "post", -100555, "wire", 9, 1_700_000_000))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5)
        answer = await tg.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == GROUP_CHAT)
        reply = await tg.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == PRIVATE_CHAT)
        await app.updater.stop()
        await app.stop()

    assert answer.result["text"] == "Q: rates today"
    assert reply.params["text"] == "saved from @wire"
    assert tg.calls_to("deleteWebhook"), "polling starts by removing any webhook"


async def test_deliver_webhook_posts_update_with_secret(tg: BotApiServer) -> None:
    received: list[tuple[dict[str, object], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        update = tg.make_text_message(PRIVATE_CHAT, "via webhook")
        status = await tg.deliver_webhook(f"http://{host}:{port}/hook", update, secret_token="s3cret")
    finally:
        await runner.cleanup()
    assert status == 200
    assert received == [(update, "s3cret")]


async def test_wait_for_call_times_out_with_context(tg: BotApiServer) -> None:
    with pytest.raises(TimeoutError, match="sendMessage"):
        await tg.wait_for_call("sendMessage", timeout=0.05)


# ----- OpenAI-compatible LLM through the openai SDK ---------------------------------------------


async def test_chat_completion_returns_scripted_content(llm: LlmServer) -> None:
    llm.script("Rates rose by 0.25 points [1].")
    async with _client(llm) as client:
        completion = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "What happened to rates?"}]
        )
    assert completion.choices[0].message.content == "Rates rose by 0.25 points [1]."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-4o-mini"
    assert completion.usage is not None and completion.usage.prompt_tokens == 4
    assert llm.requests[0].authorization == "Bearer sk-test-key"
    assert llm.chat_requests[0]["messages"][0]["content"] == "What happened to rates?"


async def test_server_error_then_success_is_retried(llm: LlmServer) -> None:
    llm.script(LlmReply.server_error(retry_after=0.01), "recovered")
    async with _client(llm, max_retries=1) as client:
        completion = await client.chat.completions.create(model="m", messages=QUESTION)
    assert completion.choices[0].message.content == "recovered"
    assert len(llm.chat_requests) == 2 and llm.pending == 0


async def test_rate_limit_and_quota_errors(llm: LlmServer) -> None:
    llm.script(LlmReply.rate_limited(retry_after=0.01), "after the wait", LlmReply.quota_exceeded())
    async with _client(llm, max_retries=1) as client:
        ok = await client.chat.completions.create(model="m", messages=QUESTION)
        assert ok.choices[0].message.content == "after the wait"
    async with _client(llm, max_retries=0) as client:
        with pytest.raises(openai.RateLimitError) as caught:
            await client.chat.completions.create(model="m", messages=QUESTION)
    assert caught.value.code == "insufficient_quota"
    assert caught.value.type == "insufficient_quota"


async def test_slow_truncated_empty_and_default_replies(llm: LlmServer) -> None:
    llm.script(LlmReply.slow("too late", delay=2.0), LlmReply.truncated("half an"), LlmReply(content=""))
    async with _client(llm, timeout=0.2) as client:
        with pytest.raises(openai.APITimeoutError):
            await client.chat.completions.create(model="m", messages=QUESTION)
    llm.responder = lambda body: "echo: " + body["messages"][-1]["content"]
    async with _client(llm) as client:
        truncated = await client.chat.completions.create(model="m", messages=QUESTION)
        empty = await client.chat.completions.create(model="m", messages=QUESTION)
        default = await client.chat.completions.create(model="m", messages=QUESTION)
    assert (truncated.choices[0].finish_reason, truncated.choices[0].message.content) == ("length", "half an")
    assert empty.choices[0].message.content == ""
    assert default.choices[0].message.content == "echo: q"


async def test_wrong_api_key_is_rejected() -> None:
    async with LlmServer(api_key="sk-right") as server:
        async with _client(server) as client:
            with pytest.raises(openai.AuthenticationError):
                await client.models.list()


async def test_embeddings_are_normalised_and_similarity_preserving(llm: LlmServer) -> None:
    texts = ["central bank raises interest rates", "the central bank raised rates again", "cup final tonight"]
    async with _client(llm) as client:
        packed = await client.embeddings.create(model="text-embedding-3-small", input=texts)
        plain = await client.embeddings.create(model="e", input=texts[0], encoding_format="float")
        llm.embeddings_down = True
        with pytest.raises(openai.InternalServerError) as down:
            await client.embeddings.create(model="e", input="x")

    vectors = [item.embedding for item in packed.data]
    assert [len(v) for v in vectors] == [llm.dim] * 3
    assert all(math.isclose(math.hypot(*v), 1.0, rel_tol=1e-5) for v in vectors)
    similar = sum(a * b for a, b in zip(vectors[0], vectors[1], strict=True))
    unrelated = sum(a * b for a, b in zip(vectors[0], vectors[2], strict=True))
    assert similar > unrelated + 0.2
    assert plain.data[0].embedding == pytest.approx(vectors[0], abs=1e-6)
    assert plain.data[0].embedding == pytest.approx(embed_text(texts[0], llm.dim))
    assert down.value.status_code == 503
    assert llm.embedding_requests[0]["encoding_format"] == "base64"
