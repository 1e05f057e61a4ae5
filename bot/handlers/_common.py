"""What several handlers share: a chat's scope and the per-chat rate limits."""

from __future__ import annotations

from telegram import Update

from bot.access import RateLimiter
from bot.context import BriefbotContext
from bot.delivery import send_html


def scope_of(chat_id: int) -> str:
    """The library scope of a chat: what it adds is its own."""
    return str(chat_id)


async def within_limit(
    update: Update, context: BriefbotContext, limiter: RateLimiter, what: str, cost: int = 1
) -> bool:
    """Whether the chat may go on; if not, it is told when to try again."""
    assert update.effective_chat is not None
    wait = limiter.try_acquire(update.effective_chat.id, cost)
    if wait:
        await send_html(
            context.bot, update.effective_chat.id,
            [f"Too many {what} at once. Please try again in {max(1, round(wait))} s."],
        )  # fmt: skip
        return False
    return True
