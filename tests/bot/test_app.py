"""The real python-telegram-bot Application, polling a local Bot API test server over HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from briefing.types import NOT_FOUND_ANSWER
from retrieval.embed import LocalEmbedder
from tests.support.bot_env import (
    ALICE,
    BOB,
    GROUP,
    STRANGER,
    Env,
    html_of,
    links_in,
    make_env,
)  # fmt: skip
from tests.support.corpus import CORPUS, DEMO, TURBINES_PAGE
from tests.support.telegram_methods import MAX_TEXT_LENGTH
from tests.support.telegram_server import parse_telegram_html
from tests.support.web_site import serve_pages, under_host


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, embedder):
        yield e


@pytest.fixture
async def loaded(env: Env) -> Env:
    await env.rt.services.ingestor.ingest_many(CORPUS)
    return env


# ---- start-up, help, access ---------------------------------------------------------------------------


async def test_commands_registered_and_help(env: Env) -> None:
    [call] = env.tg.calls_to("setMyCommands")
    names = {c["command"] for c in call.params["commands"]}
    assert {"ask", "stance", "digest", "sources", "forget", "status", "help"} <= names
    [reply] = await env.send(env.tg.make_command(ALICE, "start"))
    assert "sourced briefings" in html_of(reply)
    [reply] = await env.send(env.tg.make_command(ALICE, "help"))
    assert "/digest" in html_of(reply)


async def test_unknown_chat_gets_its_id_and_nothing_else(env: Env, site: str, requested: list[str]) -> None:
    [reply] = await env.send(env.tg.make_text_message(STRANGER, "What is the Kremlin's stance?"))
    assert str(STRANGER) in html_of(reply) and "private" in html_of(reply)
    calls_before = len(env.tg.calls)
    # A second message from the same chat is ignored silently: no reply, no fetch, no answer.
    env.tg.push_update(env.tg.make_message_with_links(STRANGER, "read this", [f"{site}/turbines"]))
    await later_link_card(env, site)
    assert requested == ["/later"]  # the stranger's link was never fetched
    to_stranger = [c for c in env.tg.calls[calls_before:] if str(c.params.get("chat_id")) == str(STRANGER)]
    assert to_stranger == []
    assert (await env.rt.services.library.stats())["articles"] == 0


async def test_empty_allow_list_says_how_to_configure(tmp_path: Path, embedder: LocalEmbedder) -> None:
    async for e in make_env(tmp_path, embedder, allowed_chat_ids=[]):
        [reply] = await e.send(e.tg.make_command(ALICE, "start"))
        assert "ALLOWED_CHAT_IDS" in html_of(reply) and str(ALICE) in html_of(reply)


# ---- links and forwards -------------------------------------------------------------------------------



@pytest.fixture
def requested() -> list[str]:
    """The paths `site` was asked for, in order."""
    return []


@pytest.fixture
async def site(requested: list[str]) -> AsyncIterator[str]:
    async with serve_pages({"/turbines": (200, "text/html", TURBINES_PAGE)}, requested=requested) as base:
        yield under_host(base, "www.coastalcourier.example")


async def later_link_card(env: Env, site: str) -> str:
    """A sentinel: an allowed chat sends a later link (one the site does not have) and gets its card.

    Updates are dispatched in the order they arrive, and a link is fetched once "typing…" is shown; by the
    time this card is out, any work begun on an earlier update (a reply, a fetch) would have shown itself.
    """
    [card] = await env.send(env.tg.make_message_with_links(ALICE, "one more", [f"{site}/later"]))
    assert "Not added" in html_of(card) and "404" in html_of(card)
    return html_of(card)


async def test_link_is_ingested_then_answered_from(env: Env, site: str) -> None:
    url = f"{site}/turbines"
    [card] = await env.send(env.tg.make_message_with_links(ALICE, "look", [url, f"{site}/missing"]))
    text = html_of(card)
    assert "Harbour turbines start turning" in text and "Added (" in text and "Coastal Courier" in text
    assert "3 Mar 2025" in text and "Not added" in text and "404" in text
    [again] = await env.send(env.tg.make_message_with_links(ALICE, "again", {"again": url}))
    assert "Already stored" in html_of(again)
    # Visible to the chat that added it only.
    articles = await env.rt.services.library.list_articles(scope=str(BOB))
    assert articles == []
    replies = await env.send(env.tg.make_text_message(ALICE, "What did the mayor say about the tide?"))
    answer = html_of(replies[0])
    assert "Porthaven" in answer or "tide" in answer
    # The answer cites the article the chat just added, linked by its stored URL.
    assert url in links_in(answer)


async def test_link_in_a_photo_caption_is_ingested(env: Env, site: str) -> None:
    update = env.tg.make_message_with_links(ALICE, "worth a read", {"worth a read": f"{site}/turbines"})
    message = update["message"]
    message["caption"], message["caption_entities"] = message.pop("text"), message.pop("entities")
    message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 60}]
    [card] = await env.send(update)
    assert "Harbour turbines start turning" in html_of(card) and "Added (" in html_of(card)
    assert [a.url for a in await env.rt.services.library.list_articles(scope=str(ALICE))] == [
        f"{site}/turbines"
    ]


async def test_typing_is_renewed_while_a_slow_answer_is_written(
    tmp_path: Path, embedder: LocalEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import delivery
    from tests.support.llm_server import LlmReply, LlmServer

    monkeypatch.setattr(delivery, "TYPING_EVERY", 0.2)
    monkeypatch.setattr(delivery, "TYPING_AFTER", 0.3)
    async with LlmServer() as llm:
        async for env in make_env(
            tmp_path, embedder, llm_base_url=f"{llm.url}/v1", llm_api_key="sk-test", llm_model="gpt-test"
        ):
            await env.rt.services.ingestor.ingest_many(CORPUS)
            llm.script(LlmReply.slow("Porthaven opened a tidal plant [1].", delay=1.5))
            [reply] = await env.send(env.tg.make_text_message(ALICE, "What did Porthaven open?"))
            assert "Porthaven opened a tidal plant" in html_of(reply)
            actions = [c for c in env.tg.calls_to("sendChatAction") if c.timestamp < reply.timestamp]
            assert len(actions) >= 4 and {c.params["action"] for c in actions} == {"typing"}


async def test_an_answer_sent_before_the_typing_delay_shows_no_typing(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import delivery

    # Each chat action spends one of the bot's 30 requests a second: an answer that comes quickly sends none.
    monkeypatch.setattr(delivery, "TYPING_AFTER", 30.0)
    await env.rt.services.ingestor.ingest_many(CORPUS)
    [reply] = await env.send(env.tg.make_text_message(ALICE, "What did Porthaven open?"))
    assert "Sources" in html_of(reply)
    assert env.tg.calls_to("sendChatAction") == []


async def test_forwarded_channel_post_is_stored(env: Env) -> None:
    when = datetime(2025, 2, 27, 10, 0, tzinfo=UTC)
    text = (
        "Kremlin spokesman Dmitry Peskov told reporters that the annexed regions are an inseparable part of "
        "Russia and that their status is not up for negotiation under any peace plan."
    )
    update = env.tg.make_forwarded_channel_post(
        ALICE, text, -1001234, "newschan", 77, when, channel_title="News Chan"
    )
    [card] = await env.send(update)
    assert "Added (" in html_of(card) and "News Chan" in html_of(card) and "27 Feb 2025" in html_of(card)
    [article] = await env.rt.services.library.list_articles(scope=str(ALICE))
    assert article.url == "https://t.me/newschan/77"
    assert article.published_at == when and article.added_by == str(ALICE)


@pytest.mark.parametrize(
    ("origin", "outlet"),
    [
        ({"origin_type": "hidden_user", "origin_sender_name": "Anon Reporter"}, "Anon Reporter"),
        ({"origin_type": "chat", "origin_chat_title": "Harbour Watch"}, "Harbour Watch"),
        ({"origin_type": "channel", "origin_chat_title": "Private Wire"}, "Private Wire"),  # no username
        ({"origin_type": "user", "origin_user_id": 800_001}, "Test User800001"),
    ],
)
async def test_forwards_from_every_origin_are_stored(env: Env, origin: dict[str, Any], outlet: str) -> None:
    when = datetime(2025, 3, 4, 8, 30, tzinfo=UTC)
    text = (
        "A local reporter says the harbour ferry will stop running in winter "
        "because of the new turbines there."
    )
    [card] = await env.send(env.tg.make_forward(ALICE, text, origin_date=when, **origin))
    assert "Added (" in html_of(card) and "4 Mar 2025" in html_of(card)
    [article] = await env.rt.services.library.list_articles(scope=str(ALICE))
    assert article.published_at == when and "harbour ferry" in article.text
    assert article.outlet == outlet and outlet in html_of(card)
    assert not article.url or not article.url.startswith("https://t.me/")  # no permalink without a username
    assert await env.rt.services.library.list_articles(scope=str(BOB)) == []


async def test_edited_messages_are_not_reingested(env: Env, site: str, requested: list[str]) -> None:
    url = f"{site}/turbines"
    link = [{"type": "url", "offset": 0, "length": len(url)}]  # as Telegram marks it in a new message
    env.tg.push_update(env.tg.make_edited_message(ALICE, 5, url, entities=link))
    card = await later_link_card(env, site)
    assert requested == ["/later"]  # the edited message's link was never fetched
    assert [html_of(c) for c in env.tg.sent_messages(ALICE)] == [card]
    assert (await env.rt.services.library.stats())["articles"] == 0


# ---- sources, forget, status ----------------------------------------------------------------------------


async def test_sources_forget_status(loaded: Env, site: str) -> None:
    env = loaded
    await env.send(env.tg.make_message_with_links(ALICE, "add", [f"{site}/turbines"]))
    [listing] = await env.send(env.tg.make_command(ALICE, "sources"))
    ids = [int(i) for i in re.findall(r"#(\d+)", html_of(listing))]
    assert len(ids) == len(CORPUS) + 1
    mine = (await env.rt.services.library.list_articles(scope=str(ALICE), limit=1))[0]
    shared = next(i for i in ids if i != mine.id)
    [refused] = await env.send(env.tg.make_command(BOB, "forget", str(mine.id)))
    assert "No article" in html_of(refused)
    [refused] = await env.send(env.tg.make_command(ALICE, "forget", str(shared)))
    assert "No article" in html_of(refused)
    [status] = await env.send(env.tg.make_command(ALICE, "status"))
    assert f"Articles you can search: {len(CORPUS) + 1} (1 added here" in html_of(status)
    assert "chroma embedded" in html_of(status) and "Writer: offline" in html_of(status)
    [done] = await env.send(env.tg.make_command(ALICE, "forget", str(mine.id)))
    assert "Removed" in html_of(done)
    assert await env.rt.services.library.get_article(mine.id) is None


# ---- questions ------------------------------------------------------------------------------------------


async def test_question_gets_valid_html_with_working_citations(loaded: Env) -> None:
    env = loaded
    replies = await env.send(
        env.tg.make_text_message(ALICE, "Did the central bank of Norland cut interest rates?")
    )
    assert env.tg.calls_to("sendChatAction")  # "typing…" was shown
    answer = html_of(replies[0])
    parse_telegram_html(answer)  # valid Telegram HTML, or this raises
    urls = links_in(answer)
    assert "https://finance.example.com/norland-rates-hold" in urls
    stored = {a.url for a in await env.rt.services.library.list_articles(limit=100)}
    assert set(urls) <= stored  # every link points at a stored article
    assert replies[0].params.get("link_preview_options", {}).get("is_disabled") is True
    assert "Sources" in answer


async def test_not_found(loaded: Env) -> None:
    [reply] = await loaded.send(
        loaded.tg.make_command(ALICE, "ask", "Who won the 1966 football world cup final?")
    )
    assert "could not find" in html_of(reply)


async def test_group_needs_mention_or_reply(loaded: Env) -> None:
    env = loaded
    env.tg.push_update(env.tg.make_text_message(GROUP, "just chatting about rates"))
    replies = await env.send(
        env.tg.make_command(GROUP, "ask", "What did the central bank decide?", mention_bot=True)
    )
    # The chatter came first: had it been taken for a question, its "typing…" would be here already.
    typing = [c for c in env.tg.calls_to("sendChatAction") if str(c.params.get("chat_id")) == str(GROUP)]
    assert len(replies) == len(typing) == len(env.tg.sent_messages(GROUP)) == 1
    assert "Norland" in html_of(replies[0]) or "3.5" in html_of(replies[0])
    replies = await env.send(env.tg.make_text_message(GROUP, "and the tidal plant?", reply_to_bot=True))
    assert replies


async def test_many_chats_at_once(loaded: Env) -> None:
    env = loaded
    questions = ["Did the bank cut rates?", "Where is the tidal plant?", "Are cars banned in Steinbach?",
                 "What maps were digitised?", "Who is the mayor of Porthaven?"]  # fmt: skip
    for chat in range(2000, 2010):
        for q in questions:
            env.tg.push_update(env.tg.make_text_message(chat, q))
    for _ in range(1200):
        if all(len(env.tg.sent_messages(c)) >= len(questions) for c in range(2000, 2010)):
            break
        await asyncio.sleep(0.1)
    for chat in range(2000, 2010):
        replies = env.tg.sent_messages(chat)
        assert len(replies) == len(questions)
        for r in replies:
            parse_telegram_html(html_of(r))


async def test_rate_limit_per_chat(tmp_path: Path, embedder: LocalEmbedder) -> None:
    async for env in make_env(tmp_path, embedder, questions_per_minute=2):
        await env.rt.services.ingestor.ingest_many(CORPUS)
        for _ in range(2):
            await env.send(env.tg.make_text_message(ALICE, "Did the bank cut rates?"))
        [reply] = await env.send(env.tg.make_text_message(ALICE, "And again?"))
        assert "Too many questions" in html_of(reply)
        # Another chat is not affected.
        [other] = await env.send(env.tg.make_text_message(BOB, "Did the bank cut rates?"))
        assert "Too many" not in html_of(other)


async def test_telegram_429_is_waited_out(loaded: Env) -> None:
    env = loaded
    env.tg.fail_next("sendMessage", error_code=429, retry_after=1)
    [reply] = await env.send(env.tg.make_command(ALICE, "help"))
    assert "/digest" in html_of(reply)
    failed = [c for c in env.tg.calls_to("sendMessage") if not c.ok]
    assert len(failed) == 1
    assert reply.timestamp - failed[0].timestamp >= 0.9


async def test_bad_html_is_resent_as_plain_text(loaded: Env) -> None:
    env = loaded
    env.tg.fail_next(
        "sendMessage", error_code=400, description="Bad Request: can't parse entities: unclosed tag"
    )
    [reply] = await env.send(env.tg.make_command(ALICE, "status"))
    assert "parse_mode" not in reply.params or not reply.params.get("parse_mode")
    assert "<b>" not in html_of(reply) and "Status" in html_of(reply)


# ---- digests --------------------------------------------------------------------------------------------


async def test_digest_now_and_nothing_new(loaded: Env) -> None:
    env = loaded
    replies = await env.send(env.tg.make_command(ALICE, "digest"))
    assert any("reported by" in html_of(r) or "Sources" in html_of(r) for r in replies)
    [note] = await env.send(env.tg.make_command(ALICE, "digest"))
    assert "Nothing new" in html_of(note)


async def test_digest_subscription_fires_on_schedule_and_survives_restart(
    tmp_path: Path, embedder: LocalEmbedder
) -> None:
    tz = "Europe/Kyiv"
    async for env in make_env(tmp_path, embedder):
        [bad] = await env.send(env.tg.make_command(ALICE, "digest", "on 25:00"))
        assert "Usage" in html_of(bad)
        [bad] = await env.send(env.tg.make_command(ALICE, "digest", "on 08:00 Mars/Olympus"))
        assert "Unknown time zone" in html_of(bad)
        [ok] = await env.send(env.tg.make_command(ALICE, "digest", f"on 07:30 {tz}"))
        assert "07:30 (Europe/Kyiv)" in html_of(ok)
        [job] = env.app.job_queue.get_jobs_by_name(f"digest:{ALICE}")
        assert job.next_t.astimezone(ZoneInfo(tz)).strftime("%H:%M") == "07:30"
    # A restart (same data dir) restores the schedule from the stored subscription.
    async for env in make_env(tmp_path, embedder):
        [job] = env.app.job_queue.get_jobs_by_name(f"digest:{ALICE}")
        await env.rt.services.ingestor.ingest_many(CORPUS[:2])
        # Drive time: bring the restored daily job's next run forward instead of waiting for 07:30.
        job.job.modify(next_run_time=datetime.now(ZoneInfo(tz)) + timedelta(seconds=1))
        for _ in range(200):
            if env.tg.sent_messages(ALICE):
                break
            await asyncio.sleep(0.05)
        digest = html_of(env.tg.sent_messages(ALICE)[0])
        assert "Porthaven" in digest or "tidal" in digest.lower()
        # The job records the digest once Telegram has taken every part of it, a moment after the first.
        for _ in range(200):
            if await env.rt.state.last_digest_at(ALICE) is not None:
                break
            await asyncio.sleep(0.05)
        assert await env.rt.state.last_digest_at(ALICE) is not None
        [off] = await env.send(env.tg.make_command(ALICE, "digest", "off"))
        assert "turned off" in html_of(off)
        assert env.app.job_queue.get_jobs_by_name(f"digest:{ALICE}") == [] or all(
            j.removed for j in env.app.job_queue.get_jobs_by_name(f"digest:{ALICE}")
        )


async def test_blocked_chat_is_unsubscribed(loaded: Env) -> None:
    env = loaded
    await env.send(env.tg.make_command(BOB, "digest", "on 09:00"))
    env.tg.fail_for_chat(BOB)
    await env.rt.send_digest(BOB)  # what the daily job runs
    assert await env.rt.state.subscription(BOB) is None


async def test_migrated_group_keeps_its_subscription(loaded: Env) -> None:
    env = loaded
    await env.send(env.tg.make_command(GROUP, "digest", "on 09:00"))
    new_id = -1009999
    env.tg.push_update(env.tg.make_migrate(GROUP, new_id))
    for _ in range(100):
        if await env.rt.state.subscription(new_id) is not None:
            break
        await asyncio.sleep(0.05)
    assert await env.rt.state.subscription(new_id) is not None
    assert await env.rt.state.subscription(GROUP) is None
    assert env.app.job_queue.get_jobs_by_name(f"digest:{new_id}")


async def test_long_answer_is_split_into_valid_messages(env: Env) -> None:
    """A 9000-character briefing goes out as several valid HTML messages, cut between paragraphs."""
    from bot.delivery import send_html
    from bot.render import render_briefing
    from briefing.types import Briefing, Citation

    cites = [
        Citation(n=i, article_id=i, url=f"https://news.example.org/{i}", title=f"Story <{i}> & more",
                 outlet="Outlet", published=datetime(2025, 2, i, tzinfo=UTC), quote="q")
        for i in range(1, 21)
    ]  # fmt: skip
    paragraphs = [
        f"Paragraph {p}: "
        + " ".join(f"Claim {p}.{s} says prices rose by {s}% & stayed < 10 [{(p + s) % 20 + 1}]."
                   for s in range(12))
        for p in range(14)
    ]  # fmt: skip
    briefing = Briefing(answer="\n\n".join(paragraphs), found=True, citations=cites)
    assert len(briefing.answer) > 9000
    messages = render_briefing(briefing)
    assert len(messages) >= 3
    await send_html(env.app.bot, ALICE, messages)
    sent = env.tg.sent_messages(ALICE)
    assert len(sent) == len(messages) and all(c.ok for c in sent)
    plain = ""
    for call in sent:
        text, _ = parse_telegram_html(html_of(call))  # the server accepted it; it parses as Telegram HTML
        assert len(text) <= MAX_TEXT_LENGTH  # Telegram's limit, as the stand-in server knows it
        plain += text + "\n\n"
    for p in range(14):
        assert f"Paragraph {p}:" in plain  # nothing lost, paragraphs kept whole
    assert all(p.count("Paragraph") <= 1 for p in plain.split("\n\n"))
    urls = {u for call in sent for u in links_in(html_of(call))}
    assert urls == {c.url for c in cites}


# ---- positions ---------------------------------------------------------------------------------------------

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def _replies_until_photo(env: Env, update: dict[str, Any]) -> list[Any]:
    """Push an update and return everything the bot sent that chat up to and including its photo."""
    before = len(env.tg.sent_messages(ALICE))
    env.tg.push_update(update)
    photo = await env.tg.wait_for_call(
        "sendPhoto", lambda c: c.ok, count=len(env.tg.calls_to("sendPhoto")) + 1
    )
    sent = env.tg.sent_messages(ALICE)[before:]
    return sent[: sent.index(photo) + 1]


async def test_stance_command_sends_timeline_and_chart(env: Env) -> None:
    """/stance ACTOR TOPIC: a dated, attributed timeline with working citations, then the chart image."""
    results = await env.rt.services.ingestor.ingest_path(DEMO)
    assert sum(r.statements for r in results) > 0
    stored = {a.url for a in await env.rt.services.library.list_articles(limit=100)}

    *timeline, photo = await _replies_until_photo(
        env, env.tg.make_command(ALICE, "stance", "Kremlin annexed regions")
    )
    assert timeline and all(
        c.method == "sendMessage" and c.params.get("parse_mode") == "HTML" for c in timeline
    )
    text = "\n".join(parse_telegram_html(html_of(c))[0] for c in timeline)
    assert "Dmitry Peskov (Kremlin spokesperson)" in text and "27 Feb 2025" in text
    links = [u for c in timeline for u in links_in(html_of(c))]
    assert links and set(links) <= stored  # every citation opens a stored article
    png = photo.files["photo"]
    assert png.startswith(PNG_MAGIC) and len(png) > 5_000
    assert "Kremlin" in parse_telegram_html(html_of(photo))[0]

    # A plain-language position question takes the same path.
    question = env.tg.make_text_message(ALICE, "What is the Kremlin's stance on the annexed regions?")
    *answer, chart = await _replies_until_photo(env, question)
    assert answer and chart.files["photo"].startswith(PNG_MAGIC)

    # An actor nobody quoted gets the fixed not-found answer and no chart.
    photos = len(env.tg.calls_to("sendPhoto"))
    [nobody] = await env.send(env.tg.make_command(ALICE, "stance", "NATO annexed regions"))
    assert nobody.method == "sendMessage" and NOT_FOUND_ANSWER in parse_telegram_html(html_of(nobody))[0]
    # Sentinel: a later /stance that does get a chart. A chart comes right after its own timeline, and this
    # one's timeline is still to be searched and sent; so by the time its chart is out, a chart for the
    # not-found answer (already sent) would be out too, and would be the first of them.
    sentinel = env.tg.make_command(ALICE, "stance", "Kremlin annexed regions")
    *_, later = await _replies_until_photo(env, sentinel)
    assert env.tg.calls_to("sendPhoto")[photos:] == [later]
    assert "Kremlin" in parse_telegram_html(html_of(later))[0]


async def test_stance_without_arguments_explains_usage(env: Env) -> None:
    [reply] = await env.send(env.tg.make_command(ALICE, "stance"))
    assert "Usage: /stance ACTOR" in html_of(reply)


# ---- concurrency and errors -------------------------------------------------------------------------------


async def test_a_slow_answer_does_not_block_other_chats(tmp_path: Path, embedder: LocalEmbedder) -> None:
    from tests.support.llm_server import LlmReply, LlmServer

    async with LlmServer() as llm:
        llm_settings = {"llm_base_url": f"{llm.url}/v1", "llm_api_key": "sk-test", "llm_model": "gpt-test"}
        async for env in make_env(tmp_path, embedder, **llm_settings):
            await env.rt.services.ingestor.ingest_many(CORPUS)

            def reply(request: dict[str, Any]) -> str | LlmReply:
                # Keyed on the question, not on arrival order: which request reaches the server first is
                # not what this test is about.
                if "What did Porthaven open?" in str(request["messages"][-1]["content"]):
                    return LlmReply.slow("Porthaven opened a tidal plant [1].", delay=2.0)
                return "Steinbach banned cars from its centre [1]."

            llm.responder = reply
            env.tg.push_update(env.tg.make_text_message(ALICE, "What did Porthaven open?"))
            await env.tg.wait_for_call("sendChatAction", lambda c: c.params["chat_id"] == ALICE)
            [bob] = await env.send(env.tg.make_text_message(BOB, "What did Steinbach ban?"))
            alice = await env.tg.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == ALICE)
            assert "Steinbach banned cars" in html_of(bob) and "Porthaven opened" in html_of(alice)
            assert bob.timestamp < alice.timestamp  # Bob was answered while Alice's answer was being written


async def test_error_handler_apologises_and_logs_without_the_token(
    env: Env, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli.common import quiet_http_logs

    quiet_http_logs()  # as `briefbot run` does: request logs carry the token in their URLs
    caplog.set_level("DEBUG")

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("search backend exploded")

    monkeypatch.setattr(env.rt, "ask", broken)
    [reply] = await env.send(env.tg.make_text_message(ALICE, "What happened in Porthaven?"))
    assert "Sorry, something went wrong" in html_of(reply)
    failures = [r for r in caplog.records if r.exc_info and "search backend exploded" in str(r.exc_info[1])]
    assert failures and failures[0].levelname == "ERROR"
    # The bot is still up for the next command.
    [status] = await env.send(env.tg.make_command(ALICE, "status"))
    assert status.ok
    assert caplog.records and env.tg.token.split(":")[1] not in caplog.text


async def test_cli_ingest_while_the_bot_runs_on_a_chroma_server(
    tmp_path: Path, embedder: LocalEmbedder, chroma_server: Any
) -> None:
    """With a Chroma server, a second process (the CLI) may write while the bot serves; the bot sees it."""
    import os
    import subprocess
    import sys

    store = {"chroma_host": chroma_server.host, "chroma_port": chroma_server.port,
             "chroma_database": f"cli-while-bot-{os.getpid()}"}  # fmt: skip
    async for env in make_env(tmp_path, embedder, **store):
        article_file = tmp_path / "ferry.txt"
        article_file.write_text(
            "date 2025-03-05\nurl https://news.example.org/ferry-winter\n"
            "Harbour ferry to pause in winter\n\n"
            "The Porthaven harbour ferry will not run from December to February, the operator said, because "
            "the new tidal turbines narrow the channel and winter storms make the crossing unsafe.\n"
        )
        cli_env = {**os.environ, **{k.upper(): str(v) for k, v in store.items()}}
        proc = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot.cli", "--data-dir", str(env.tmp / "data"),
             "ingest", str(article_file)],
            capture_output=True, text=True, timeout=300, env=cli_env,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert "added" in proc.stdout
        [reply] = await env.send(env.tg.make_text_message(ALICE, "Will the Porthaven ferry run in winter?"))
        assert "https://news.example.org/ferry-winter" in links_in(html_of(reply))
        # Keyword search reads the shared library file anyway; the bot's Chroma handle must see the vectors.
        dense = await env.rt.services.searcher.search("harbour ferry paused in winter", k=1, mode="dense")
        assert dense and dense[0].url == "https://news.example.org/ferry-winter"
