"""No message breaks: whatever titles, links and arguments users send, every reply fits Telegram's limits,
parses as its HTML, and keeps its links; odd input gets the usage text, not an apology."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.render import pack, render_briefing
from briefing.types import Briefing, Citation
from retrieval.embed import LocalEmbedder
from tests.support.bot_env import ALICE, Env, html_of, links_in, make_env
from tests.support.telegram_methods import MAX_TEXT_LENGTH
from tests.support.telegram_server import parse_telegram_html
from tests.support.web_site import serve_pages, under_host

# A page whose <title> runs to 4,900 characters: sites do this, and so can anyone.
_LONG_TITLE = " ".join(f"Porthaven harbour dredging update part {i} of the series." for i in range(90))[:4900]
_BODY = (
    "Harbour master Olav Brekke said on Tuesday that the dredging of the northern channel will start in "
    "the spring and take about four months, and that the work would be done at night so ferries can keep "
    "their timetable. The council approved the plan by eleven votes to four after a long debate."
)


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, embedder):
        yield e


@pytest.fixture
async def site() -> AsyncIterator[str]:
    page = f"<html><head><title>{_LONG_TITLE}</title></head><body><article><p>{_BODY}</p></article></body>"
    async with serve_pages({"/long": (200, "text/html", page)}) as base:
        yield under_host(base, "porthaven-post.test")


# Telegram's limit as the stand-in server enforces it, not the renderer's own constant: a wrong constant in
# the product must fail here.
LIMIT = MAX_TEXT_LENGTH


def _valid(calls: list[object]) -> str:
    """Every message parses as Telegram HTML and fits; their plain texts, joined."""
    texts = []
    for call in calls:
        text, _ = parse_telegram_html(html_of(call))
        assert len(text.encode("utf-16-le")) // 2 <= LIMIT
        texts.append(text)
    return "\n".join(texts)


async def test_a_4900_character_title_is_shortened_everywhere_it_is_shown(env: Env, site: str) -> None:
    url = f"{site}/long"
    [card] = await env.send(env.tg.make_message_with_links(ALICE, "add", [url]))
    assert "Added (" in _valid([card]) and "…" in html_of(card)
    article_id = re.findall(r"#(\d+)", html_of(card))[-1]
    replies = await env.send(env.tg.make_text_message(ALICE, "When does the dredging of the channel start?"))
    assert url in links_in(html_of(replies[-1])) and "Sources" in _valid(replies)
    [digest] = await env.send(env.tg.make_command(ALICE, "digest"))
    assert url in links_in(html_of(digest))
    [listing] = await env.send(env.tg.make_command(ALICE, "sources"))
    assert url in links_in(html_of(listing))
    [removed] = await env.send(env.tg.make_command(ALICE, "forget", article_id))
    assert "Removed" in _valid([removed])
    assert all(c.ok for c in env.tg.sent_messages(ALICE))  # nothing was refused, and no apology went out
    assert not any("Sorry" in html_of(c) for c in env.tg.sent_messages(ALICE))


async def test_five_failing_long_links_get_their_cards(env: Env, site: str) -> None:
    urls = [f"{site}/missing/{n}/" + "x" * 1500 for n in range(5)]
    env.rt.settings.max_links_per_message = 5
    cards = await env.send(env.tg.make_message_with_links(ALICE, "five", urls))
    plain = _valid(cards)
    assert plain.count("Not added") == 5 and "404" in plain


def test_a_sources_block_of_long_titles_is_never_cut_inside_a_link() -> None:
    cites = [
        Citation(n=i, article_id=i, url=f"https://news.example.org/{i}?" + "q" * 300,
                 title=f"Story {i}. " + "Long title words. " * 400, outlet="Outlet " * 40,
                 published=None, quote="q")
        for i in range(1, 31)
    ]  # fmt: skip
    answer = " ".join(f"Claim {i} [{i}]." for i in range(1, 31))
    briefing = Briefing(answer=answer, found=True, citations=cites)
    messages = render_briefing(briefing)
    found: set[str] = set()
    for message in messages:
        text, _ = parse_telegram_html(message)  # an <a> split across two messages would not parse
        assert len(text) <= LIMIT
        found.update(links_in(message))
    assert found == {c.url for c in cites}  # every source keeps its link


def test_a_single_unit_longer_than_a_message_is_shortened_not_stripped() -> None:
    card = f'<b>{"Word " * 2000}</b>\n<a href="https://x.example/1">{"title " * 1500}</a>'
    messages = pack([card])
    for part in messages:
        text, _ = parse_telegram_html(part)
        assert 0 < len(text) <= LIMIT
    assert [u for part in messages for u in links_in(part)] == ["https://x.example/1"]


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("digest", "on 08:00 " + "x" * 3000),
        ("digest", "on 08:00 ../../etc/passwd"),
        ("digest", "on 25:00"),
        ("forget", "²"),
        ("forget", "99999999999999999999999999"),
        ("forget", "#-3"),
    ],
)
async def test_bad_arguments_get_the_usage_text(env: Env, command: str, args: str) -> None:
    [reply] = await env.send(env.tg.make_command(ALICE, command, args))
    text = _valid([reply])
    assert "Sorry" not in text
    assert "Usage" in text or "Unknown time zone" in text


async def test_a_photo_or_a_file_without_text_is_told_what_can_be_added(env: Env) -> None:
    photo = env.tg.make_text_message(ALICE, "placeholder")
    message = photo["message"]
    del message["text"]
    message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    [reply] = await env.send(photo)
    assert "send a link" in html_of(reply).lower()
    # A file is downloaded and read for what its bytes are: a zip archive is not a document.
    archive = b"PK\x05\x06" + bytes(18)
    [reply] = await env.send(env.tg.make_document(ALICE, archive, "report.zip"))
    assert "send a pdf" in html_of(reply).lower() and "Not added" in html_of(reply)
