"""What the handlers work with: the services, the briefer, per-chat state, limits and the digest schedule."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.access import AccessPolicy, RateLimiter
from bot.inbox import Inbox
from bot.services import Services
from bot.settings import Settings
from bot.state import BotState, Subscription
from briefing.types import Briefing
from retrieval.store import Article, SearchFilters
from retrieval.urls import article_ref

log = logging.getLogger(__name__)


def digest_job_name(chat_id: int) -> str:
    return f"digest:{chat_id}"


@dataclass
class Runtime:
    settings: Settings
    services: Services
    briefer: Any  # briefing.briefer.Briefer
    state: BotState
    application: Application[Any, Any, Any, Any, Any, Any]
    inbox: Inbox
    access: AccessPolicy = field(init=False)
    question_limit: RateLimiter = field(init=False)
    link_limit: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.access = AccessPolicy(self.settings.allowed_chat_ids)
        self.question_limit = RateLimiter(self.settings.questions_per_minute)
        self.link_limit = RateLimiter(self.settings.links_per_minute)

    # Answers run as questions: ingestion steps aside until they are written (retrieval.priority).

    async def ask(self, question: str, scope: str) -> Briefing:
        async with self.services.priority.question():
            return await self.briefer.ask(question, filters=SearchFilters(scope=scope))  # type: ignore[no-any-return]

    async def stance(self, actor: str, topic: str | None, scope: str) -> Briefing:
        async with self.services.priority.question():
            return await self.briefer.stance(actor, topic, filters=SearchFilters(scope=scope))  # type: ignore[no-any-return]

    async def digest(self, since: datetime, scope: str) -> Briefing:
        async with self.services.priority.question():
            return await self.briefer.digest(since=since, scope=scope)  # type: ignore[no-any-return]

    async def own_article(self, ref: str, scope: str) -> Article | None:
        """The article `ref` (an id, `#id` or a link) names among those `scope` added itself; else None.

        Shared articles and other chats' are never "owned", whatever id is guessed.
        """
        library = self.services.library
        parsed = article_ref(ref)
        if isinstance(parsed, int):
            article = await library.get_article(parsed)
        elif parsed is not None:
            article = await library.find_by_url(parsed, scope=scope)
        else:
            return None
        return article if article is not None and article.added_by == scope else None

    async def stance_subject(self, text: str, scope: str) -> tuple[str, str | None]:
        """/stance's actor and topic: quoted (`"White House" tariffs`), split by "on", "about" or a colon
        (`Dmitry Peskov on the new regions`), or else the longest run of leading capitalised words that
        names a speaker this chat has statements from (`European Union sanctions`), at least one word."""
        text = " ".join(text.split())
        quoted = re.match(r"^[\"“«'](.+?)[\"”»']\s*(.*)$", text)
        if quoted:
            return quoted.group(1).strip(), quoted.group(2).strip() or None
        split = re.match(r"^(.+?)(?:\s+(?:on|about|regarding)\s+|\s*[:—–]\s+)(.+)$", text, re.IGNORECASE)
        if split:
            return split.group(1).strip(), split.group(2).strip()
        words = text.split(" ")
        lead = 1
        while lead < min(len(words), 4) and words[lead][:1].isupper():
            lead += 1
        for size in range(lead, 1, -1):
            if await self.services.library.has_speaker(words[:size], scope=scope):
                return " ".join(words[:size]), " ".join(words[size:]) or None
        return words[0], " ".join(words[1:]) or None

    # ---- schedule ---------------------------------------------------------------------------------------

    def schedule_digest(self, sub: Subscription) -> None:
        from bot.handlers import digest_job

        queue = self.application.job_queue
        if queue is None:
            raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
        self.unschedule_digest(sub.chat_id)
        at = time(sub.hour, sub.minute, tzinfo=ZoneInfo(sub.timezone))
        queue.run_daily(digest_job, at, chat_id=sub.chat_id, name=digest_job_name(sub.chat_id))

    def unschedule_digest(self, chat_id: int) -> None:
        queue = self.application.job_queue
        if queue is None:
            return
        for job in queue.get_jobs_by_name(digest_job_name(chat_id)):
            job.schedule_removal()

    async def drop_chat(self, chat_id: int) -> None:
        """The chat blocked the bot or removed it: stop sending it digests."""
        log.info("chat %s blocked the bot; its digest subscription is removed", chat_id)
        await self.state.unsubscribe(chat_id)
        self.unschedule_digest(chat_id)

    async def restore_schedule(self) -> int:
        subs = await self.state.subscriptions()
        for sub in subs:
            try:
                self.schedule_digest(sub)
            except Exception as exc:
                log.warning("could not schedule the digest of chat %s: %s", sub.chat_id, exc)
        return len(subs)

    async def restore_migrations(self) -> int:
        """Let in again the supergroups that allowed groups became (kept across restarts)."""
        return sum(self.access.follow_migration(old, new) for old, new in await self.state.migrations())

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its access, subscription, digest history and articles follow it."""
        if not self.access.follow_migration(old_id, new_id):
            log.warning("chat %s, not allowed, reports a move to %s: ignored", old_id, new_id)
            return
        await self.state.migrate_chat(old_id, new_id)
        for article_id in await self.services.library.migrate_scope(str(old_id), str(new_id)):
            await self.services.index.set_scope(article_id, str(new_id))
        self.unschedule_digest(old_id)
        sub = await self.state.subscription(new_id)
        if sub is not None:
            self.schedule_digest(sub)
        log.info("chat %s migrated to %s", old_id, new_id)

    async def notify_admin_once(self, key: str, text: str) -> None:
        admin = self.settings.admin_chat_id
        if admin is None or not await self.state.notice_once(key):
            return
        try:
            await self.application.bot.send_message(admin, text)
        except Exception as exc:
            log.warning("could not notify the admin: %s", type(exc).__name__)

    async def rearm_notice(self, key: str) -> None:
        """What `key` warned about is over: the admin hears of it again when it comes back."""
        if await self.state.clear_notice(key):
            log.info("admin notice %r re-armed", key)
