"""Who is served, and how often: the allow-list gate and per-chat rate limits."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class AccessPolicy:
    """Chats on the allow-list are served; others hear their chat id once in a while, and nothing else."""

    def __init__(
        self,
        allowed_chat_ids: list[int],
        *,
        remind_every: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed = frozenset(allowed_chat_ids)
        # Supergroups that allowed groups became: Telegram gives them a new id.
        self._successors: dict[int, int] = {}
        self._remind_every = remind_every
        self._clock = clock
        self._told: dict[int, float] = {}
        self._recent: OrderedDict[int, None] = OrderedDict()

    def is_repeat(self, update_id: int, remember: int = 2048) -> bool:
        """True for an update id seen recently: Telegram may deliver one update twice."""
        if update_id in self._recent:
            return True
        self._recent[update_id] = None
        if len(self._recent) > remember:
            self._recent.popitem(last=False)
        return False

    def allows(self, chat_id: int) -> bool:
        return chat_id in self.allowed or chat_id in self._successors

    def follow_migration(self, old_id: int, new_id: int) -> bool:
        """Let `new_id` in if `old_id` was: a group upgraded to a supergroup keeps its access.
        Returns whether it did."""
        if not self.allows(old_id):
            return False
        self._successors[new_id] = old_id
        return True

    def should_tell(self, chat_id: int) -> bool:
        """Refused chats get one reply, then silence for a while, so the bot cannot be used to spam."""
        now = self._clock()
        last = self._told.get(chat_id)
        if last is not None and now - last < self._remind_every:
            return False
        self._told[chat_id] = now
        return True

    def refusal(self, chat_id: int) -> str:
        if not self.allowed:
            return (
                f"This bot is not open to any chat yet. Your chat id is {chat_id}: "
                "the bot's owner can add it to ALLOWED_CHAT_IDS in the bot's settings."
            )
        return f"This bot is private. Your chat id is {chat_id}; ask the bot's owner to allow it."


class RateLimiter:
    """A sliding window per chat and action: at most `limit` events in `window` seconds."""

    def __init__(
        self, limit: int, window: float = 60.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[int, deque[float]] = {}

    def try_acquire(self, chat_id: int, cost: int = 1) -> float:
        """0 when allowed (and counted); otherwise the seconds to wait before trying again."""
        now = self._clock()
        events = self._events.setdefault(chat_id, deque())
        while events and now - events[0] >= self.window:
            events.popleft()
        # One request bigger than the whole budget (many links at once) fills the window
        # rather than never fitting.
        cost = min(cost, self.limit)
        if len(events) + cost > self.limit:
            return max(0.1, self.window - (now - events[0]))
        events.extend([now] * cost)
        return 0.0
