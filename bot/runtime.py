"""What the handlers work with: the services, the briefer, per-chat state, limits and the digest schedule.

Handlers parse an update and call one method here; whatever reads or changes the library, the state or the
schedule happens in these methods, so a handler never reaches past the runtime into the services.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext

from bot import render
from bot.access import AccessPolicy, RateLimiter
from bot.delivery import ChatGone, send_html
from bot.inbox import Inbox
from bot.services import Services
from bot.settings import Settings
from bot.state import BotState, Subscription, Watch
from bot.watching import MAX_WATCHES, WatchNotifier, watch_key
from briefing.briefer import Briefer, build_briefer
from briefing.stance import StanceService
from briefing.timeline import prepare_chart
from briefing.topics import compile_terms, table_vectors
from briefing.types import Briefing
from briefing.watch import PositionWatch
from retrieval.feeds import FeedRound, FollowOutcome, PollReport
from retrieval.ingest import IngestResult
from retrieval.store import Article, FollowRecord, SearchFilters

log = logging.getLogger(__name__)


LLM_QUOTA_NOTICE = "llm-quota"
# Links of one message fetched at once: enough to be quick, few enough not to look like a crawler.
PARALLEL_FETCHES = 3
# The articles since the last digest whose statements of watched actors its "Positions" part reads.
DIGEST_POSITIONS_ARTICLES = 2000


def stored_ids(results: Sequence[IngestResult]) -> list[int]:
    """The articles an ingestion stored: added ones and near-duplicates (another outlet of a known story);
    not those already there."""
    kept = ("added", "near_duplicate")
    return [r.article.id for r in results if r.article is not None and r.status in kept]


FEEDS_JOB = "feeds"
WATCH_JOB = "watches"

#: Told, after each feed of a polling round (and each link, forward, document or channel post stored), which
#: articles are new in which scope.
ArticleListener = Callable[[Mapping[str, list[int]]], Awaitable[None]]


def digest_job_name(chat_id: int) -> str:
    return f"digest:{chat_id}"


@dataclass(frozen=True, slots=True)
class ChatStatus:
    visible: dict[str, int]
    backends: dict[str, str]
    daily: Subscription | None
    follows: list[FollowRecord] = field(default_factory=list)  # this chat's own follows
    next_round: datetime | None = None  # when the polling job runs next
    watches: int = 0
    quiet: bool = False


# Words that put a topic after the actor in /stance and /watch: English, Russian ("Песков о новых регионах",
# "по", "про", "насчёт", "относительно") and Ukrainian ("Зеленський щодо перемир'я", "стосовно").
_ABOUT = "on|about|regarding|об?|обо|по|про|насч[её]т|относительно|щодо|стосовно"


@dataclass
class Runtime:
    settings: Settings
    services: Services
    state: BotState
    application: Application[Any, Any, Any, Any, Any, Any]
    inbox: Inbox
    briefer: Briefer = field(init=False)
    access: AccessPolicy = field(init=False)
    question_limit: RateLimiter = field(init=False)
    link_limit: RateLimiter = field(init=False)
    article_listeners: list[ArticleListener] = field(default_factory=list)
    watcher: WatchNotifier = field(init=False)
    background: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        # The briefer reports the LLM account's quota to this runtime, which tells the admin.
        self.briefer = build_briefer(
            self.services,
            on_quota_exhausted=self.llm_quota_exhausted,
            on_quota_restored=self.llm_quota_restored,
        )
        self.access = AccessPolicy(self.settings.allowed_chat_ids)
        self.question_limit = RateLimiter(self.settings.questions_per_minute)
        self.link_limit = RateLimiter(self.settings.links_per_minute)
        self.watcher = WatchNotifier(
            self.state, PositionWatch(self.stance_service), lambda: self.application.bot,
            on_gone=self.drop_chat, on_migrate=self.migrate_chat,
        )  # fmt: skip
        self.on_new_articles(self._alert_watchers)

    # Answers run as questions: ingestion steps aside until they are written (retrieval.priority).

    async def ask(self, question: str, scope: str) -> Briefing:
        async with self.services.priority.question():
            return await self.briefer.ask(question, filters=SearchFilters(scope=scope))

    async def stance(self, actor: str, topic: str | None, scope: str) -> Briefing:
        async with self.services.priority.question():
            return await self.briefer.stance(actor, topic, filters=SearchFilters(scope=scope))

    async def digest(self, since: datetime, scope: str) -> Briefing:
        async with self.services.priority.question():
            return await self.briefer.digest(since=since, scope=scope)

    # ---- the library, as one chat sees it ---------------------------------------------------------------

    async def own_article(self, ref: str, scope: str) -> Article | None:
        """The article `ref` (an id, `#id` or a link) names among those `scope` added itself; else None.

        Shared articles and other chats' are never "owned", whatever id is guessed.
        """
        article = await self.services.find_article(ref, scope)
        return article if article is not None and article.added_by == scope else None

    async def forget_own(self, ref: str, scope: str) -> Article | None:
        """Remove the article `ref` names if `scope` added it; the article removed, or None."""
        article = await self.own_article(ref, scope)
        if article is not None:
            await self.services.ingestor.forget(article.id)
        return article

    async def add_links(self, urls: list[str], scope: str) -> list[IngestResult]:
        """Fetch and store each link for `scope`, a few at a time; one result per link, in order."""
        semaphore = asyncio.Semaphore(PARALLEL_FETCHES)

        async def one(url: str) -> IngestResult:
            async with semaphore:
                return await self.services.ingestor.ingest_url(url, added_by=scope)

        results = await asyncio.gather(*(one(u) for u in urls))
        await self.announce_new_articles({scope: stored_ids(results)})
        return results

    async def store_post(
        self, text: str, *, url: str | None, published: datetime, outlet: str, scope: str
    ) -> IngestResult:
        """A forwarded post, stored as an article of `scope`."""
        result = await self.services.ingestor.ingest_text(
            text, url=url, published=published, outlet=outlet, added_by=scope
        )
        await self.announce_new_articles({scope: stored_ids([result])})
        return result

    async def articles_added(self, new: Mapping[str, Sequence[int]]) -> int:
        """The watch alerts for articles just stored, by scope (a listener of `announce_new_articles`, which
        links, forwards, polling rounds and channel posts all end in): chats watching an actor heard in them
        get their alerts before this returns; the number of alerts sent, queued or grown. A failure is
        logged, never passed on: the articles are stored either way."""
        if not any(new.values()):
            return 0
        try:
            return await self.watcher.notify(new)
        except Exception:
            log.exception("watch alerts for %s failed", {scope: len(ids) for scope, ids in new.items()})
            return 0

    async def _alert_watchers(self, new: Mapping[str, list[int]]) -> None:
        await self.articles_added(new)

    async def catch_up_watches(self) -> int:
        """The watch alerts for articles stored since the last check that no call in this process announced:
        those `briefbot ingest` or `briefbot poll` stored beside the bot, or stored while it was down. Run
        every polling interval, and a few seconds after a start; the number of alerts. A failure is logged:
        the articles are checked again next time."""
        try:
            return await self.watcher.catch_up()
        except Exception:
            log.exception("catching up on watch alerts failed")
            return 0

    async def _watch_job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        await self.catch_up_watches()

    # ---- watched actors ----------------------------------------------------------------------------------

    async def watch(self, chat_id: int, actor: str, topic: str | None) -> tuple[Watch, bool] | None:
        """Start watching; the watch and whether it is new, or None when the chat has as many as allowed."""
        mine = await self.state.watches(chat_id)
        key = watch_key(actor, topic)
        if len(mine) >= MAX_WATCHES and all(watch_key(w.actor, w.topic) != key for w in mine):
            return None
        started = await self.state.watch(chat_id, actor, topic, key)
        if topic:
            self._in_background(
                self.stance_service.prepare(actor, topic, filters=SearchFilters(scope=str(chat_id))),
                f"preparing the watch {actor!r} on {topic!r}",
            )
        return started

    def prepare_answers(self) -> None:
        """At start, in the background: what the first stance answer (or watch check on a topic) would
        otherwise pay for, about a second of CPU: the stance topic table embedded, its terms' patterns
        compiled, and matplotlib loaded with the chart's fonts. Answers that come meanwhile wait for the
        parts they need instead of doing them again (`SentenceEmbeddings.kept`)."""

        async def prepare() -> None:
            # Work for questions: on the question's model sessions, not a bulk session of its own.
            async with self.services.priority.question():
                await table_vectors(self.stance_service.embeddings)
            await asyncio.to_thread(compile_terms)
            await asyncio.to_thread(prepare_chart)

        self._in_background(prepare(), "preparing answers")

    @property
    def stance_service(self) -> StanceService:
        assert self.briefer.stance_service is not None
        return self.briefer.stance_service

    def _in_background(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Work the caller need not wait for (its reply is sent meanwhile); kept in `background` until done,
        and a failure is logged: the watch check will do the same work when it comes."""

        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("%s failed", what)

        task = asyncio.create_task(run())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def watches(self, chat_id: int) -> list[Watch]:
        return await self.state.watches(chat_id)

    async def unwatch(self, chat_id: int, watch: Watch | None) -> int:
        """Stop one watch, or all of the chat's with None; how many stopped."""
        return await self.state.unwatch(chat_id, watch.id if watch is not None else None)

    async def quiet(self, chat_id: int) -> bool:
        return await self.state.quiet(chat_id)

    async def set_quiet(self, chat_id: int, quiet: bool) -> None:
        await self.state.set_quiet(chat_id, quiet)

    async def add_document(
        self,
        data: bytes,
        name: str | None,
        *,
        scope: str,
        url: str | None = None,
        outlet: str | None = None,
        published: datetime | None = None,
    ) -> IngestResult:
        """A document sent into a chat, read in a sandboxed process and stored as an article of `scope`."""
        result = await self.services.ingestor.ingest_document(
            data, name, added_by=scope, url=url, outlet=outlet, published=published
        )
        await self.announce_new_articles({scope: stored_ids([result])})
        return result

    async def recent_articles(self, scope: str, limit: int = 15) -> list[Article]:
        return await self.services.library.list_articles(scope=scope, limit=limit)

    async def status(self, chat_id: int) -> ChatStatus:
        return ChatStatus(
            # What this chat can see, never the whole library: other chats' counts are theirs.
            visible=await self.services.library.count_visible(str(chat_id)),
            backends=self.services.backends,
            daily=await self.state.subscription(chat_id),
            follows=await self.following(str(chat_id)),
            next_round=self.next_round(),
            watches=len(await self.state.watches(chat_id)),
            quiet=await self.state.quiet(chat_id),
        )

    def next_round(self) -> datetime | None:
        """When the polling job starts its next round (None when it is not scheduled)."""
        queue = self.application.job_queue
        jobs = queue.get_jobs_by_name(FEEDS_JOB) if queue is not None else ()
        times = [job.next_t for job in jobs if job.next_t is not None]
        return min(times) if times else None

    async def stance_subject(
        self, text: str, scope: str, *, unknown_names: bool = False
    ) -> tuple[str, str | None]:
        """/stance's actor and topic: quoted (`"White House" tariffs`), split by "on", "about" (о, по,
        про, щодо …) or a colon (`Dmitry Peskov on the new regions`), or else the longest run of leading
        capitalised words that names a speaker this chat has statements from (`European Union sanctions`), at
        least one word.
        With `unknown_names` (/watch, whose actor may not have spoken yet) a run of capitalised words names
        the actor even when no statement of theirs is stored."""
        text = " ".join(text.split())
        quoted = re.match(r"^[\"“«'](.+?)[\"”»']\s*(.*)$", text)
        if quoted:
            rest = re.sub(rf"^(?:(?:{_ABOUT})\s+|[:—–]\s*)", "", quoted.group(2).strip(), flags=re.I)
            return quoted.group(1).strip(), rest.strip() or None
        split = re.match(rf"^(.+?)(?:\s+(?:{_ABOUT})\s+|\s*[:—–]\s+)(.+)$", text, re.IGNORECASE)
        if split:
            return split.group(1).strip(), split.group(2).strip()
        words = text.split(" ")
        lead = 1
        while lead < min(len(words), 4) and words[lead][:1].isupper():
            lead += 1
        for size in range(lead, 1, -1):
            if await self.services.library.has_speaker(words[:size], scope=scope):
                return " ".join(words[:size]), " ".join(words[size:]) or None
        if unknown_names:
            return " ".join(words[:lead]), " ".join(words[lead:]) or None
        return words[0], " ".join(words[1:]) or None

    # ---- digests ----------------------------------------------------------------------------------------

    async def subscribe(self, chat_id: int, hour: int, minute: int, timezone: str) -> Subscription:
        sub = await self.state.subscribe(chat_id, hour, minute, timezone)
        self.schedule_digest(sub)
        return sub

    async def unsubscribe(self, chat_id: int) -> bool:
        """Stop the chat's daily digest; whether there was one."""
        removed = await self.state.unsubscribe(chat_id)
        self.unschedule_digest(chat_id)
        return removed

    async def send_digest(self, chat_id: int) -> None:
        """Everything new since the chat's last digest (or the last day); nothing new gets a one-line note."""
        now = datetime.now(UTC)
        since = await self.state.last_digest_at(chat_id) or now - timedelta(days=1)
        briefing = await self.digest(since, str(chat_id))
        if briefing.found:
            added = await self.services.library.list_articles(
                scope=str(chat_id), added_since=since, limit=DIGEST_POSITIONS_ARTICLES
            )
            briefing = await self.watcher.digest_part(chat_id, briefing, added)
        messages = render.render_briefing(briefing) if briefing.found else [render.nothing_new(since)]
        try:
            await send_html(self.application.bot, chat_id, messages, on_migrate=self.migrate_chat)
        except ChatGone:
            await self.drop_chat(chat_id)
            return
        await self.state.set_last_digest_at(chat_id, now)

    async def _digest_job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        job = context.job
        assert job is not None and job.chat_id is not None
        await self.send_digest(job.chat_id)

    def schedule_digest(self, sub: Subscription) -> None:
        queue = self.application.job_queue
        if queue is None:
            raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
        self.unschedule_digest(sub.chat_id)
        at = time(sub.hour, sub.minute, tzinfo=ZoneInfo(sub.timezone))
        queue.run_daily(self._digest_job, at, chat_id=sub.chat_id, name=digest_job_name(sub.chat_id))

    def unschedule_digest(self, chat_id: int) -> None:
        queue = self.application.job_queue
        if queue is None:
            return
        for job in queue.get_jobs_by_name(digest_job_name(chat_id)):
            job.schedule_removal()

    async def drop_chat(self, chat_id: int) -> None:
        """The chat blocked the bot or removed it: stop sending it digests and alerts."""
        log.info("chat %s blocked the bot; its digest subscription and watches are removed", chat_id)
        await self.unsubscribe(chat_id)
        await self.state.unwatch(chat_id)

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
        await self.services.library.migrate_follows(str(old_id), str(new_id))
        self.unschedule_digest(old_id)
        sub = await self.state.subscription(new_id)
        if sub is not None:
            self.schedule_digest(sub)
        log.info("chat %s migrated to %s", old_id, new_id)

    # ---- followed feeds and channels --------------------------------------------------------------------

    def on_new_articles(self, listener: ArticleListener) -> None:
        """Have `listener` told of the articles each polling round, channel post, link or forward stored, by
        scope, before the call that stored them returns; the watch alerts (`articles_added`) are one."""
        self.article_listeners.append(listener)

    async def announce_new_articles(self, new: Mapping[str, list[int]]) -> None:
        if not new:
            return
        for listener in list(self.article_listeners):
            try:
                await listener(new)
            except Exception:  # one listener failing must not stop the others, nor the polling
                log.exception("a new-articles listener failed")

    async def follow(self, url: str, scope: str) -> FollowOutcome:
        """Follow a feed, a site page naming one, or a public channel; FeedError says why not."""
        return await self.services.feeds.follow(url, scope=scope)

    async def unfollow(self, ref: str, scope: str) -> FollowRecord | None:
        return await self.services.feeds.unfollow(ref, scope=scope)

    async def following(self, scope: str) -> list[FollowRecord]:
        return await self.services.feeds.following(scope)

    async def poll_feeds(
        self, *, feed_ids: list[int] | None = None, force: bool = False, first_read_for: str | None = None
    ) -> PollReport:
        """One polling round (of every feed, or of `feed_ids`; a scope's first read with `first_read_for`);
        each feed's new articles are announced as soon as that feed is done, not when the round is."""

        async def feed_done(one: FeedRound) -> None:
            await self.announce_new_articles(one.new_articles)

        return await self.services.feeds.poll(
            feed_ids=feed_ids, force=force, on_feed=feed_done, first_read_for=first_read_for
        )

    async def first_read(self, feed_id: int, scope: str) -> tuple[list[IngestResult], str | None]:
        """A feed just followed, read at once: what it stored for `scope`, or why it could not be read."""
        report = await self.poll_feeds(feed_ids=[feed_id], force=True, first_read_for=scope)
        for one in report.feeds:
            if one.feed.id == feed_id:
                return one.results.get(scope, []), one.error
        return [], None

    async def store_channel_post(
        self, *, channel: str | None, post_id: int, text: str, published: datetime, outlet: str, chat_id: int
    ) -> dict[str, IngestResult]:
        """A post of a channel the bot administers: for the chats following that channel, and for the
        channel's own scope when it is an allowed chat. Nothing is ever sent to the channel."""
        own = str(chat_id) if self.access.allows(chat_id) else None
        results = await self.services.feeds.store_channel_post(
            channel=channel, post_id=post_id, text=text, published=published, outlet=outlet, own_scope=own
        )
        new = {
            scope: [r.article.id]
            for scope, r in results.items()
            if r.status in ("added", "near_duplicate") and r.article is not None
        }
        await self.announce_new_articles(new)
        return results

    async def _poll_job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        try:
            report = await self.poll_feeds()
        except Exception:  # the next round tries again; a round that failed as a whole is a bug to log
            log.exception("feed polling round failed")
            return
        if report.feeds:
            log.info(
                "feeds polled: %d (%d unchanged, %d failed); %d new articles",
                len(report.feeds), report.not_modified, len(report.failed),
                sum(len(ids) for ids in report.new_articles.values()),
            )  # fmt: skip

    def schedule_polling(self) -> None:
        """The polling round every FEEDS_POLL_SECONDS, with jitter (a tenth of the interval, at most a
        minute) so many bots, or one bot's restarts, do not hit the same sites in step."""
        queue = self.application.job_queue
        if queue is None:
            raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
        interval = float(self.settings.feeds_poll_seconds)
        jitter = min(interval * 0.1, 60.0)
        queue.run_repeating(
            self._poll_job, interval=interval, first=min(interval, 30.0) * random.uniform(0.5, 1.0),
            name=FEEDS_JOB, job_kwargs={"jitter": jitter, "max_instances": 1, "coalesce": True},
        )  # fmt: skip
        # Articles other processes store (the CLI beside the bot) reach the watches as often as feeds are
        # read: a separate job, so that a long round of feeds does not hold those alerts back.
        queue.run_repeating(
            # Soon after a start: what the CLI stored while the bot was down is not held back a whole round.
            self._watch_job, interval=interval, first=min(interval, 5.0),
            name=WATCH_JOB, job_kwargs={"jitter": jitter, "max_instances": 1, "coalesce": True},
        )  # fmt: skip

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

    async def llm_quota_exhausted(self) -> None:
        await self.notify_admin_once(
            LLM_QUOTA_NOTICE,
            "briefbot: the LLM endpoint reports its quota is used up; answers fall back to offline.",
        )

    async def llm_quota_restored(self) -> None:
        await self.rearm_notice(LLM_QUOTA_NOTICE)

    async def aclose(self) -> None:
        for task in list(self.background):  # preparations only: whatever they did, a check does again
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        await self.briefer.aclose()
        await self.services.aclose()
        self.state.close()
        self.inbox.close()
