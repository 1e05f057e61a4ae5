"""Alerts for watched actors: after any ingestion, the chats that watch an actor hear of their new statements.

`WatchNotifier.notify({scope: [article ids]})` is the one door: the runtime calls it after a chat's links or
forwards are stored, and the feed poller after each round. A chat's scope alerts that chat; the shared scope
(what the operator's CLI and CLI-followed feeds add) alerts every chat with watches, since every chat sees it.

Per chat and statement there is one alert, ever: its statement keys are claimed in the bot state before it is
sent (a crash may lose an alert, a restart never repeats one). A statement several new articles report is one
alert that lists every outlet; a later report of a statement already alerted edits that alert to add its
outlet instead of sending another. In quiet mode nothing is sent: the statements are claimed all the same and
the daily digest's "Positions" part shows them.

`catch_up` is the other door, for what no event inside this process announces: articles that `briefbot
ingest` or `briefbot poll` stored beside the running bot, and anything stored while the bot was down. It reads
the library's new articles past a cursor kept in the bot state (the highest article id checked), checks them
as `notify` does, and moves the cursor on. The runtime runs it every polling interval. Articles this process
announced itself are skipped (they were checked then); were one checked twice, its statements' claims would
keep it to one alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

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
#: The bot-state cursor of `catch_up`: the highest article id checked against the watches.
CURSOR = "watch"
# An article still half-stored after this long was left by a process that died (the next start's resume()
# finishes it, without an alert): `catch_up` goes past it instead of waiting for ever. Storing one article
# takes seconds; a batch of a polling round on a loaded machine, a few minutes.
STALLED_AFTER = timedelta(minutes=15)
# Articles read per step of `catch_up`; a bot back after a long stop goes through the backlog in steps.
CATCH_UP_STEP = 500
# A step whose alerts fail (a bug, a store that fails) is tried again at the next round, this many times in
# all; then the cursor goes past it so that one bad article cannot stop every alert after it.
CATCH_UP_ATTEMPTS = 3


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
        # Articles `notify` checked and `catch_up` has not passed yet: it skips them.
        self._checked: set[int] = set()
        self._failed_steps = 0

    async def notify(self, new: Mapping[str, Sequence[int]]) -> int:
        """Alert every chat that watches an actor heard in these newly stored articles (by scope); the number
        of alerts sent, queued for a digest or grown by an outlet."""
        async with self._lock:
            done = await self._notify(new)
            self._checked.update(i for ids in new.values() for i in ids)
            return done

    async def start(self) -> int:
        """The cursor of `catch_up`, started at the library's latest article if this bot state has none yet
        (what was stored before watches were kept is not news)."""
        cursor = await self.state.cursor(CURSOR)
        if cursor is None:
            cursor = await self.positions.library.last_article_id()
            await self.state.set_cursor(CURSOR, cursor)
        return cursor

    async def catch_up(self) -> int:
        """Check the articles stored since the cursor, by this process or any other, that `notify` was not
        told of; the number of alerts, as `notify`."""
        library = self.positions.library
        async with self._lock:
            cursor = await self.start()
            done = 0
            while True:
                arrivals = await library.arrivals(cursor, limit=CATCH_UP_STEP)
                new: dict[str, list[int]] = {}
                reached, waiting = cursor, False
                now = datetime.now(UTC)
                for arrival in arrivals:
                    if not arrival.ready:
                        if now - arrival.added_at < STALLED_AFTER:
                            waiting = True  # another process is still storing it: wait for it
                            break
                        log.warning("article %s was never finished; no alerts for it", arrival.id)
                    elif arrival.id not in self._checked:
                        new.setdefault(arrival.scope, []).append(arrival.id)
                    reached = arrival.id
                if reached == cursor:
                    return done
                try:
                    done += await self._notify(new)
                except Exception:
                    self._failed_steps += 1
                    if self._failed_steps < CATCH_UP_ATTEMPTS:
                        raise
                    log.exception("watch alerts of articles %s-%s failed again; skipped", cursor + 1, reached)
                self._failed_steps = 0
                await self.state.set_cursor(CURSOR, reached)
                self._checked = {i for i in self._checked if i > reached}
                cursor = reached
                if waiting or len(arrivals) < CATCH_UP_STEP:
                    return done

    async def _notify(self, new: Mapping[str, Sequence[int]]) -> int:
        chats: dict[int, set[int]] = {}
        every = await self.state.watches()
        for scope, added in new.items():
            ids = set(added)
            if not ids:
                continue
            targets = {w.chat_id for w in every} if scope == SHARED_SCOPE else _chat_of(scope)
            for chat_id in targets:
                chats.setdefault(chat_id, set()).update(ids)
        if not chats:
            return 0
        articles = await self.positions.library.get_articles(set().union(*chats.values()))
        stored = {a.id: a for a in articles}
        done = 0
        for chat_id, ids in chats.items():
            watches = [w for w in every if w.chat_id == chat_id]
            if watches:
                done += await self._chat(chat_id, watches, [stored[i] for i in sorted(ids) if i in stored])
        return done

    async def _chat(self, chat_id: int, watches: list[Watch], articles: list[Article]) -> int:
        quiet = await self.state.quiet(chat_id)
        done = 0
        for watch in watches:
            # What was stored before the watch began is not news to it, however late it is checked.
            fresh = [a for a in articles if a.added_at >= watch.created_at]
            if not fresh:
                continue
            found = await self.positions.news(watch.actor, watch.topic, scope=str(chat_id), fresh=fresh)
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
