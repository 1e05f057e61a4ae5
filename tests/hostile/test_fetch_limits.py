"""Hostile links sent to the running bot: inner-network addresses, huge or endless pages, gzip bombs, files
that are not articles, too many links at once. Each gets a clear card, and the bot keeps answering.

The links point at a raw-socket server on loopback (tests/test_fetcher.LocalServer), which records every
connection, so "refused before any request" is checked on the wire. Caps come from the settings, small, as
a deployment would set them through the environment.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from retrieval.embed import LocalEmbedder
from tests.support.corpus import CORPUS
from tests.support.raw_http import Handler, LocalServer, dripping, redirect, reply, sending
from tests.support.telegram_server import BotApiServer
from tests.support.tg_env import ALICE, Env, html_of, running_bot

CAP = 1_000_000
DEADLINE = 1.0
LINKS = 3
BANK = CORPUS[2]  # Norland's central bank


def _article(n: int) -> bytes:
    return (
        f"<html><head><title>Council story {n}</title></head><body><article><h1>Council story {n}</h1>"
        f"<p>The council of district {n} voted on a plan for {n * 7} new benches along the river path, after "
        f"residents asked for places to rest on the long walk to the market. The vote was {n + 4} to 2.</p>"
        f"<p>Work on benches for district {n} begins in spring and should take {n + 2} weeks.</p>"
        "</article></body></html>"
    ).encode()


def _gzip_of_zeros(size: int) -> bytes:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join([*(squeezer.compress(block) for _ in range(size >> 20)), squeezer.flush()])


@pytest.fixture
async def site() -> AsyncIterator[LocalServer]:
    server = LocalServer()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async with BotApiServer() as tg:
        async with running_bot(
            tg, tmp_path / "data", embedder, fetch_allow_private_networks=True, fetch_max_bytes=CAP,
            fetch_deadline_seconds=DEADLINE, max_links_per_message=LINKS,
        ) as e:  # fmt: skip
            await e.rt.services.ingestor.ingest_many([BANK])
            yield e


async def _card(env: Env, urls: list[str], chat: int = ALICE) -> str:
    [card] = await env.send(env.tg.make_message_with_links(chat, "read these", urls))
    return html_of(card)


async def _still_answers(env: Env) -> None:
    [reply_] = await env.send(env.tg.make_text_message(ALICE, "What did the Norland central bank decide?"))
    assert "Norland" in html_of(reply_) or "3.5" in html_of(reply_)
    assert env.app.updater is not None and env.app.updater.running


async def _articles(env: Env) -> int:
    return (await env.rt.services.library.stats())["articles"]


# ---- the inner network ------------------------------------------------------------------------------------


async def test_private_addresses_are_refused_before_any_request(
    tmp_path: Path, embedder: LocalEmbedder, site: LocalServer
) -> None:
    port = site.port
    site.routes["/secret"] = reply(200, _article(1))
    loopback = [
        f"http://127.0.0.1:{port}/secret",
        f"http://localhost:{port}/secret",
        f"http://2130706433:{port}/secret",  # 127.0.0.1 as one decimal number
        f"http://0x7f.1:{port}/secret",  # hex and short form
        f"http://[::ffff:127.0.0.1]:{port}/secret",  # IPv4-mapped IPv6
        f"http://[::1]:{port}/secret",
    ]
    elsewhere = {
        "http://169.254.169.254/latest/meta-data/": "cloud metadata endpoint",
        "http://100.64.0.1/": "CGNAT",
        "http://10.1.2.3/": "private",
        f"ftp://127.0.0.1:{port}/secret": "only http and https",
        "http://user:pw@news.example.com/story": "credentials",
        "http://news.example.com:8080/story": "port 8080 is not allowed",
    }
    async with (
        BotApiServer() as tg,
        running_bot(tg, tmp_path / "data", embedder, max_links_per_message=8) as env,
    ):
        assert env.rt.settings.fetch_allow_private_networks is False
        await env.rt.services.ingestor.ingest_many([BANK])
        card = await _card(env, loopback)
        assert card.count("Not added: refused:") == len(loopback), card
        assert "(loopback)" in card and "IPv4-mapped form of 127.0.0.1" in card
        card = await _card(env, list(elsewhere))
        assert card.count("Not added: refused:") == len(elsewhere), card
        for reason in elsewhere.values():
            assert reason in card
        assert site.connections == 0 and site.requests == []
        assert await _articles(env) == 1
        await _still_answers(env)


# ---- pages that are too big, too slow, or not articles ----------------------------------------------------


def _case(name: str) -> tuple[Handler, str]:
    big = b"<html><body><p>" + b"word " * (3 * CAP // 5) + b"</p></body></html>"
    cases: dict[str, Callable[[], tuple[Handler, str]]] = {
        "oversized-declared": lambda: (reply(200, big), "refused: page is larger than 1 MB"),
        "oversized-streamed": lambda: (sending(big), "refused: page is larger than 1 MB"),
        "gzip-bomb": lambda: (
            sending(
                bomb := _gzip_of_zeros(256 << 20), Content_Encoding="gzip", Content_Length=str(len(bomb))
            ),
            "refused: page is larger than 1 MB",
        ),
        "slow-drip": lambda: (dripping(send_headers=True), f"timed out after {DEADLINE:g} s"),
        "pdf": lambda: (
            reply(200, b"%PDF-1.7\n" + bytes(2000), content_type="application/pdf"),
            "content type application/pdf is not supported",
        ),
        "image": lambda: (
            reply(200, b"\x89PNG\r\n\x1a\n" + bytes(2000), content_type="image/png"),
            "content type image/png is not supported",
        ),
        "redirect-loop": lambda: (redirect("/page"), "too many redirects (more than 3)"),
    }
    return cases[name]()


@pytest.mark.parametrize(
    "name",
    ["oversized-declared", "oversized-streamed", "gzip-bomb", "slow-drip", "pdf", "image", "redirect-loop"],
)
async def test_hostile_page_gets_a_clear_card(env: Env, site: LocalServer, name: str) -> None:
    handler, reason = _case(name)
    site.routes["/page"] = handler
    card = await _card(env, [site.url("/page")])
    assert "Not added" in card and reason in card, card
    assert await _articles(env) == 1
    # One fetch per hop, never retried: a hostile page costs one bounded attempt.
    expected_requests = 4 if name == "redirect-loop" else 1
    assert len(site.requests) == expected_requests
    await _still_answers(env)


async def test_three_redirects_are_followed(env: Env, site: LocalServer) -> None:
    for hop in range(3, 0, -1):
        site.routes[f"/r{hop}"] = redirect(f"/r{hop - 1}")
    site.routes["/r0"] = reply(200, _article(7))
    card = await _card(env, [site.url("/r3")])
    assert "Council story 7" in card and "Added (" in card, card


async def test_too_many_links_in_one_message(env: Env, site: LocalServer) -> None:
    urls = []
    for n in range(1, 6):
        site.routes[f"/story{n}"] = reply(200, _article(n))
        urls.append(site.url(f"/story{n}"))
    card = await _card(env, urls)
    assert card.count("Added (") == LINKS, card
    assert f"Only the first {LINKS} links of a message are read; 2 skipped" in card
    assert sorted(path for path, _ in site.requests) == ["/story1", "/story2", "/story3"]
    assert await _articles(env) == 1 + LINKS
    await _still_answers(env)


async def test_extraction_time_limit(env: Env, site: LocalServer) -> None:
    # A table-heavy page just under the size cap: seconds of work for the extractor.
    rows = "".join(f"<tr><td>cell {i}</td><td>value {i} more text</td></tr>" for i in range(16000))
    site.routes["/table"] = reply(200, f"<html><body><table>{rows}</table></body></html>".encode())
    # The knob is on the ingestor (default 20 s); a quarter second leaves a wide margin on fast machines.
    env.rt.services.ingestor.extract_timeout = 0.25
    card = await _card(env, [site.url("/table")])
    assert "Not added: extraction took longer than" in card, card
    assert await _articles(env) == 1
    await _still_answers(env)
