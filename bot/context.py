"""The typed python-telegram-bot context: every handler's `context.runtime` is the bot's `Runtime`.

`post_init` builds the runtime and puts it in `bot_data`; handlers run only after that (the application
starts polling once post_init is done), so `context.runtime` is always there when they ask.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.runtime import Runtime


class BotData:
    """What the application holds for all chats: the runtime, once post_init has built it."""

    def __init__(self) -> None:
        self.runtime: Runtime | None = None


# ExtBot's parameter is the rate limiter's argument type, of no concern to handlers.
class BriefbotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def runtime(self) -> Runtime:
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("no runtime: the application's post_init has not run")
        return runtime


CONTEXT_TYPES = ContextTypes(context=BriefbotContext, bot_data=BotData, chat_data=dict, user_data=dict)

BriefbotApp = Application[
    ExtBot[Any], BriefbotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]
]
