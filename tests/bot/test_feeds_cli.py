"""`briefbot follow`, `feeds`, `poll` and `unfollow`, run as a user would, against the local feed site."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.support.feed_site import FeedSite, Item, dated


async def _briefbot(data: Path, *args: str) -> tuple[int, str, str]:
    # The site answers from this test's event loop: the CLI runs beside it, not blocking it.
    env = {**os.environ, "FETCH_ALLOW_PRIVATE_NETWORKS": "true", "EMBEDDING_BACKEND": "local"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--data-dir", str(data), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=300)
    return process.returncode or 0, out.decode(), err.decode()


async def test_follow_feeds_poll_unfollow(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with FeedSite() as site:
        stories = [Item(f"cli-{i}", f"Cli story {i}", dated(i)) for i in range(2)]
        url = site.rss("/feed.xml", "Cli Wire", stories)
        code, out, err = await _briefbot(data, "follow", url)
        assert code == 0, err
        assert "following 'Cli Wire': rss, 2 items now" in out and "2 new, 0 already stored, 0 failed" in out
        code, out, err = await _briefbot(data, "feeds", "--json")
        [feed] = json.loads(out)
        assert (feed["n"], feed["url"], feed["kind"], feed["last_error"]) == (1, url, "rss", None)
        code, out, err = await _briefbot(data, "poll")
        assert code == 0 and "same     Cli Wire: not modified" in out and "(1 not modified)" in out
        code, out, err = await _briefbot(data, "sources", "--json")
        assert {a["added_by"] for a in json.loads(out)} == {"shared"}  # what the CLI follows is shared
        code, out, err = await _briefbot(data, "unfollow", "1")
        assert code == 0 and "stopped following 'Cli Wire'" in out
        code, out, err = await _briefbot(data, "unfollow", "1")
        assert code == 1 and "not following '1'" in err
