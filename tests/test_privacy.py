"""Privacy as chats see it, through the real bot: two chats adding overlapping articles, groups, migrations.

Each chat must see what it added and what is shared, nothing else, on every path: questions, /sources,
/stance, /digest, /status and /forget (by id and by link, ids guessed included).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrieval.embed import LocalEmbedder
from retrieval.store import SHARED_SCOPE
from tests.support.bot_env import ALICE, BOB, GROUP, Env, html_of, links_in, make_env, running_bot
from tests.support.telegram_server import BotApiServer
from tests.support.web_site import serve_pages, under_host

_HARBOUR = (
    "Harbour master Olav Brekke said on Tuesday that the dredging of the northern channel in Porthaven "
    "will start in the spring and take about four months. Container ships have had to wait for high tide "
    "since a storm moved sand into the channel last winter, and two shipping lines have warned they could "
    "move their calls to another port. Brekke said the work would be done at night so that ferries can keep "
    "their timetable during the day. The city council approved the plan by eleven votes to four after a "
    "long debate about the cost and about the seals that rest on the sandbanks near the harbour mouth. "
    "Environmental groups asked for a study of the seal colony before the dredgers arrive."
)
_SECRET = "The confidential budget memo puts the cost at 48 million crowns, twice the public estimate."


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>"
        "<meta property='article:published_time' content='2025-03-04T08:00:00Z'></head>"
        f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    )


@pytest.fixture
async def sites(env: Env) -> AsyncIterator[tuple[str, str]]:
    """Alice's private memo and Bob's near-duplicate report, on two different hosts."""
    pages: dict[str, tuple[int, str, bytes | str]] = {
        "/memo": (200, "text/html", _page("Dredging memo for the board", f"{_HARBOUR} {_SECRET}")),
        "/dredging": (200, "text/html", _page("Channel dredging approved", _HARBOUR)),
    }
    async with serve_pages(pages) as base:
        alice = under_host(base, "alice-private.test") + "/memo"
        yield alice, under_host(base, "porthaven-post.test") + "/dredging"


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, embedder):
        yield e


async def _one(env: Env, chat: int, command: str, args: str = "") -> str:
    [reply] = await env.send(env.tg.make_command(chat, command, args))
    return html_of(reply)


async def test_a_near_duplicate_shows_a_chat_nothing_of_another_chats_article(
    env: Env, sites: tuple[str, str]
) -> None:
    alice_url, bob_url = sites
    [card] = await env.send(env.tg.make_message_with_links(ALICE, "mine", [alice_url]))
    assert "Added (" in html_of(card)
    [card] = await env.send(env.tg.make_message_with_links(BOB, "mine", [bob_url]))
    assert "Added (" in html_of(card) and "Same story" not in html_of(card)
    alice_id = int(re.findall(r"#(\d+)", await _one(env, ALICE, "sources"))[0])

    seen = [
        html_of(r)
        for update in (
            env.tg.make_text_message(BOB, "What will the dredging of the channel cost?"),
            env.tg.make_command(BOB, "sources"),
            env.tg.make_command(BOB, "stance", "Brekke dredging"),
            env.tg.make_command(BOB, "digest"),
        )
        for r in await env.send(update)
    ]
    status = await _one(env, BOB, "status")
    everything = "\n".join([*seen, status])
    assert "48 million" not in everything and "confidential" not in everything
    assert "alice-private" not in everything and "Dredging memo" not in everything
    assert not [u for u in links_in(everything) if "alice" in u]
    assert "Articles you can search: 1 (1 added here, 0 shared)" in status
    # Guessing Alice's id or sending her link to /forget reveals and removes nothing.
    assert "No article" in await _one(env, BOB, "forget", str(alice_id))
    assert "No article" in await _one(env, BOB, "forget", alice_url)
    assert await env.rt.services.library.get_article(alice_id) is not None


async def test_one_link_in_two_chats_survives_one_forgetting_it(env: Env, sites: tuple[str, str]) -> None:
    _, url = sites
    for chat in (ALICE, BOB):
        [card] = await env.send(env.tg.make_message_with_links(chat, "add", [url]))
        assert "Added (" in html_of(card), html_of(card)  # Bob's is fetched for him, not "Already stored"
    assert "Removed" in await _one(env, ALICE, "forget", url)  # by link
    assert "No article" in await _one(env, ALICE, "forget", url)
    answer = await env.send(env.tg.make_text_message(BOB, "When will the dredging of the channel start?"))
    assert url in links_in(html_of(answer[0]))
    assert "Channel dredging approved" in await _one(env, BOB, "sources")


async def test_a_local_files_path_is_never_shown_in_a_chat(env: Env, tmp_path: Path) -> None:
    folder = tmp_path / "operator" / "private-folder"
    folder.mkdir(parents=True)
    (folder / "dredging.txt").write_text(f"date 2025-03-04\n# Channel dredging approved\n\n{_HARBOUR}\n")
    [result] = await env.rt.services.ingestor.ingest_path(folder, added_by=SHARED_SCOPE)
    assert result.status == "added" and result.article and result.article.url.startswith("file://")
    shown = [
        await _one(env, BOB, "sources"),
        html_of((await env.send(env.tg.make_text_message(BOB, "When does the dredging start?")))[0]),
    ]
    for text in shown:
        assert "private-folder" not in text and "file:" not in text
    assert "Channel dredging approved (local file)" in shown[0]
    assert "(local file)" in shown[1] and "Sources" in shown[1]


# ---- groups ---------------------------------------------------------------------------------------------


async def test_a_group_ignores_replies_and_mentions_for_others(env: Env, sites: tuple[str, str]) -> None:
    _, url = sites
    chatter = [
        env.tg.make_text_message(GROUP, f"What do you make of this? {url}", reply_to_user=700_002),
        env.tg.make_text_message(GROUP, f"@someone_else have you read {url}"),
        env.tg.make_text_message(GROUP, "@someone_else what does the bank say about rates?"),
    ]
    for update in chatter:
        env.tg.push_update(update)
    # A later message that is addressed to the bot. Updates are dispatched in order, and a handler shows
    # "typing…" before its first slow step, so by the time this one is answered any work started on the
    # chatter would have shown itself: silence about it is no accident of timing.
    replies = await env.send(env.tg.make_text_message(GROUP, "@briefbot_test_bot what about the dredging?"))
    typing = [c for c in env.tg.calls_to("sendChatAction") if str(c.params.get("chat_id")) == str(GROUP)]
    assert len(typing) == 1 and len(replies) == 1  # the addressed question's alone
    assert len(env.tg.sent_messages(GROUP)) == 1
    assert (await env.rt.services.library.stats())["articles"] == 0  # no link was taken from the chatter
    # Replies to the bot's own messages still count.
    assert await env.send(env.tg.make_text_message(GROUP, "and the seals?", reply_to_bot=True))


async def test_a_migrated_group_keeps_its_access(tmp_path: Path, embedder: LocalEmbedder) -> None:
    supergroup = -1_009_876_543_210
    async with BotApiServer() as tg:
        async with running_bot(tg, tmp_path / "data", embedder, allowed_chat_ids=[GROUP]) as env:
            [refusal] = await env.send(tg.make_command(supergroup, "status"), chat=supergroup)
            assert "private" in html_of(refusal)  # not on the list, and not moved yet
            env.tg.push_update(tg.make_migrate(GROUP, supergroup))
            [status] = await env.send(tg.make_command(supergroup, "status"), chat=supergroup)
            assert "Articles you can search" in html_of(status)
        async with running_bot(tg, tmp_path / "data", embedder, allowed_chat_ids=[GROUP]) as env:
            [status] = await env.send(tg.make_command(supergroup, "status"), chat=supergroup)
            assert "Articles you can search" in html_of(status)
            assert "not open" not in html_of(status) and "private" not in html_of(status)


async def test_the_supergroups_migration_notice_lets_it_in(tmp_path: Path, embedder: LocalEmbedder) -> None:
    supergroup, stranger_group = -1_001_111_222_333, -1_004_444_555_666
    async with BotApiServer() as tg:
        async with running_bot(tg, tmp_path / "data", embedder, allowed_chat_ids=[GROUP]) as env:
            env.tg.push_update(tg.make_migrated_from(supergroup, GROUP))
            [status] = await env.send(tg.make_command(supergroup, "status"), chat=supergroup)
            assert "Articles you can search" in html_of(status)
            # A group that was never allowed gains nothing by claiming a move from one that was not either.
            env.tg.push_update(tg.make_migrated_from(stranger_group, -777))
            [refusal] = await env.send(tg.make_command(stranger_group, "status"), chat=stranger_group)
            assert "private" in html_of(refusal)
