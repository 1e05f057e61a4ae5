"""Alerts for watched actors: after any ingestion, the chats that watch an actor hear of their new statements.

`WatchNotifier.notify({scope: [article ids]})` is the one door: the runtime calls it after a chat's links or
forwards are stored, and the feed poller after each round. A chat's scope alerts that chat; the shared scope
(what the operator's CLI and CLI-followed feeds add) alerts every chat with watches, since every chat sees it.

Per chat and statement there is one alert, ever: its statement keys are claimed in the bot state before it is
sent (a crash may lose an alert, a restart never repeats one). A statement several new articles report is one
alert that lists every outlet; a later report of a statement already alerted edits that alert to add its
outlet instead of sending another. In quiet mode nothing is sent: the statements are claimed all the same and
the daily digest's "Positions" part shows them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from telegram import Bot
from telegram.error import BadRequest

from bot import render
from bot.delivery import ChatGone, OnMigrate, send_html
from bot.state import BotState, Watch
from briefing.types import Briefing
from briefing.watch import PositionNews, PositionWatch, with_positions, write_alert
from retrieval.store import SHARED_SCOPE, Article

log = logging.getLogger(__name__)

#: Watches a chat may keep: each is read after every ingestion that reaches the chat.
MAX_WATCHES = 20


def watch_key(actor: str, topic: str | None) -> str:
    """One watch per actor and topic, however they are capitalised or spaced."""
    return f"{' '.join(actor.lower().split())}|{' '.join((topic or '').lower().split())}"


class WatchNotifier:
    def __init__(
        self,
        state: BotState,
        positions: PositionWatch,
        bot: Callable[[], Bot],
        *,
        on_gone: Callable[[int], Awaitable[None]],
        on_migrate: OnMigrate,
    ) -> None:
        self.state = state
        self.positions = positions
        self._bot = bot
        self._on_gone = on_gone
        self._on_migrate = on_migrate
        # One round at a time: two rounds reporting one statement must not both find it unclaimed and new.
        self._lock = asyncio.Lock()

    async def notify(self, new: Mapping[str, Sequence[int]]) -> int:
        """Alert every chat that watches an actor heard in these newly stored articles (by scope); the number
        of alerts sent, queued for a digest or grown by an outlet."""
        async with self._lock:
            chats: dict[int, set[int]] = {}
            every = await self.state.watches()
            for scope, stored in new.items():
                ids = set(stored)
                if not ids:
                    continue
                targets = {w.chat_id for w in every} if scope == SHARED_SCOPE else _chat_of(scope)
                for chat_id in targets:
                    chats.setdefault(chat_id, set()).update(ids)
            done = 0
            for chat_id, ids in chats.items():
                watches = [w for w in every if w.chat_id == chat_id]
                if watches:
                    done += await self._chat(chat_id, watches, ids)
            return done

    async def _chat(self, chat_id: int, watches: list[Watch], ids: set[int]) -> int:
        quiet = await self.state.quiet(chat_id)
        done = 0
        for watch in watches:
            found = await self.positions.news(watch.actor, watch.topic, scope=str(chat_id), fresh=ids)
            for news in found:
                try:
                    done += await self._one(chat_id, watch, news, quiet)
                except ChatGone:
                    await self._on_gone(chat_id)
                    return done
        return done

    async def _one(self, chat_id: int, watch: Watch, news: PositionNews, quiet: bool) -> int:
        keys = news.keys
        known = await self.state.alert_of(chat_id, keys)
        if known is not None:
            grown = [a for a in news.article_ids if a not in known.articles]
            if not grown:
                return 0
            # Another outlet's report of a statement already alerted: the alert lists it too.
            await self.state.update_alert(known.id, keys=keys, articles=grown)
            if known.message_id is not None:
                await self._edit(chat_id, known.message_id, write_alert(news))
            return 1
        if not news.fresh:
            # An outlet's report of a statement stored before this chat watched for it: not news.
            return 0
        alert = await self.state.record_alert(chat_id, watch.id, keys, news.article_ids)
        if alert is None or quiet:
            return 0 if alert is None else 1
        [sent] = await send_html(
            self._bot(), chat_id, [render.position_alert(write_alert(news))], on_migrate=self._on_migrate
        )
        await self.state.update_alert(alert.id, message_id=sent.message_id)
        return 1

    async def _edit(self, chat_id: int, message_id: int, alert: Briefing) -> None:
        try:
            await self._bot().edit_message_text(render.position_alert(alert), chat_id, message_id)
        except BadRequest as exc:
            # Deleted by the user, too old to edit, or unchanged: the alert stays as it was.
            log.info("could not update the alert %s in chat %s: %s", message_id, chat_id, exc)

    async def digest_part(self, chat_id: int, digest: Briefing, added: Sequence[Article]) -> Briefing:
        """The digest with its "Positions" part: statements of watched actors first reported in `added`
        (the articles added since the last digest)."""
        news: list[PositionNews] = []
        seen: set[str] = set()
        for watch in await self.state.watches(chat_id):
            for item in await self.positions.news(
                watch.actor, watch.topic, scope=str(chat_id), fresh=added
            ):
                if item.fresh and not seen & set(item.keys):
                    seen.update(item.keys)
                    news.append(item)
        news.sort(key=lambda n: n.said_on.timestamp() if n.said_on else float("inf"))
        return with_positions(digest, news)


def _chat_of(scope: str) -> set[int]:
    try:
        return {int(scope)}
    except ValueError:
        return set()
